-- One serving process: the state of a server (or of one session's worker) and the loop
-- that serves its socket one message at a time. Nothing a message does can stop it
-- (serve.lua); released memory is returned promptly (memory.lua).
local ffi = require "ffi"
local zmq = require "server.zmq"
local errors = require "server.errors"
local Memory = require "server.memory"
local interrupt = require "server.interrupt"
local serve = require "server.serve"
local marshal = require "server.marshal"
local aten = require "aten"
local mp = require "server.msgpack"
local wire = require "server.wire"

local pairs, next, pcall, os_time = pairs, next, pcall, os.time

ffi.cdef [[ int kill(int pid, int sig); ]]

local _M = {}

local function forget_client(server, identity)
  local client = server.clients[identity]
  if not client then return end
  client.registry:clear()
  client.gone = true
  server.clients[identity] = nil
  server.memory:client_gone()
end

-- A client whose connection dropped (a notebook kernel restarted, a script killed) never
-- sends `close`: drop its objects when ZeroMQ reports its connection gone. (A session
-- worker's monitor watches its direct socket: the fds it reports are of that socket's
-- connections, never of the parent's PAIR, which stays open.)
local function forget_disconnected(server)
  local forgot = false
  while true do
    local fd = zmq.read_disconnect(server.monitor)
    if fd == nil then break end
    for identity, client in pairs(server.clients) do
      if fd and client.fd == fd then
        -- (a client still connected to the parent may come back here: ZeroMQ reconnects)
        if client.parent_gone then server.offered[identity] = nil end
        forget_client(server, identity)
        forgot = true
      end
    end
  end
  if forgot and server.on_client_gone then server.on_client_gone() end
end

-- Messages from a session's parent (sessions.lua) start with an empty frame, which no
-- ROUTER identity is: {"", "gone", identity} says that client's connection to the parent
-- dropped; {"", "end"} that the worker may end, if it has no client. A client that moved to the worker's direct socket is not concerned: it is
-- forgotten when its direct connection drops (forget_disconnected), and from then on its
-- routing id is no longer admitted there.
local function control(server, frames)
  local what = frames[2] and zmq.frame_string(frames[2])
  if what == "gone" and frames[3] then
    local identity = zmq.frame_string(frames[3])
    local client = server.clients[identity]
    if client and client.sock ~= nil and client.sock ~= server.sock then
      client.parent_gone = true
      return
    end
    server.offered[identity] = nil
    forget_client(server, identity)
    if server.on_client_gone then server.on_client_gone() end
  elseif what == "end" then  -- the parent routes no newcomer here any more
    if next(server.clients) == nil then server.running = false end
  end
end

-- A message on a session worker's direct socket (direct.lua) is served only for a client
-- the worker offered that socket through its parent (the ping's `direct`), until the
-- parent says the client's connection to it dropped; any other peer is told its session
-- is not here.
local function admitted(server, sock, frames)
  if server.offered[zmq.frame_string(frames[1])] then return true end
  local header = mp.encode({ v = wire.VERSION, op = "session_lost",
    reason = "this connection is not a client of the session (connect through the server's "
      .. "endpoint)" })
  zmq.send_multipart(sock, { frames[1], header })
  return false
end

local function parent_alive(pid)
  return not pid or ffi.C.kill(pid, 0) == 0
end

-- opts: the server options; sock: where requests come from (the ROUTER, or a session
-- worker's PAIR); extra: { monitor =, guard =, epoch =, direct = a session worker's own
-- ROUTER (direct.lua), requests also come by }.
function _M.new(opts, sock, extra)
  local server = {
    running = true, clients = {}, allow_shutdown = opts.allow_shutdown,
    torch_version = aten.config.torch_version, sock = sock, marshal = marshal,
    callback_results = {}, callback_owner = {}, epoch = extra.epoch,
    limits = { max_header = opts.max_header_bytes },
    memory = Memory.new(opts.gc_bytes), monitor = extra.monitor,
    offered = {},  -- identities offered the direct socket (dispatch.lua's ping)
  }
  local guard = extra.guard
  -- the sockets requests come by (interrupt.lua reads them too while Lua code runs)
  local inputs = { sock, extra.direct }
  server.inputs, server.guard = inputs, guard
  if server.monitor then server.read_disconnects = function() forget_disconnected(server) end end
  interrupt.install(server)
  local function serve_frames(frames, from)
    if from ~= sock then
      if not admitted(server, from, frames) then zmq.release(frames); return end
    elseif frames[1].size == 0 then
      control(server, frames)
      zmq.release(frames)
      return
    end
    -- serve() cannot raise by design; this pcall is the backstop that keeps the
    -- server up should a defect (or running out of memory) prove otherwise
    local ok, problem = pcall(serve.serve, server, from, frames)
    zmq.release(frames)
    if not ok then io.stderr:write("luatorch-server: ", errors.describe(problem), "\n") end
    server.memory:after_message()
  end
  -- Without a ZAP socket to serve, the server waits with one blocking receive on its
  -- socket (ZMQ_RCVTIMEO): no poll call in front of every message. The monitor is read
  -- when a wait times out and at most once a second while messages keep coming.
  local zap = guard and guard.zap
  local rcvtimeo, monitor_read_at = nil, os_time()
  local function receive(timeout_ms)
    if timeout_ms ~= rcvtimeo then
      zmq.setsockopt_int(sock, zmq.RCVTIMEO, timeout_ms)
      rcvtimeo = timeout_ms
    end
    local frames, err, errno = zmq.recv_multipart(sock, 0)
    if frames then
      serve_frames(frames, sock)
      if server.monitor and os_time() ~= monitor_read_at then
        monitor_read_at = os_time()
        forget_disconnected(server)
      end
    elseif errno == zmq.EAGAIN then  -- nothing came for timeout_ms
      if server.monitor then forget_disconnected(server) end
      server.memory:idle()
      if not parent_alive(opts.parent_pid) then return false end
    elseif errno ~= zmq.EINTR then
      io.stderr:write("luatorch-server: ", err, "\n")
      return false
    end
    return server.running
  end
  -- what serve_next polls: the inputs, then the monitor and the ZAP socket when there are
  local polled, n_inputs = {}, #inputs
  for i = 1, n_inputs do polled[i] = inputs[i] end
  local monitor_at = server.monitor and n_inputs + 1
  if server.monitor then polled[monitor_at] = server.monitor end
  local zap_at = zap and #polled + 1
  if zap then polled[zap_at] = zap end
  local n_polled, turn = #polled, 0
  -- serve at most one message; false when the server must stop
  function server.serve_next(timeout_ms)
    local backlog = server.backlog  -- read while a request ran (interrupt.lua)
    if #backlog == 0 and not zap and n_inputs == 1 then return receive(timeout_ms) end
    if #backlog > 0 then timeout_ms = 0 end
    local ready, err, errno = zmq.poll_many(polled, n_polled, timeout_ms)
    if ready == nil then
      if errno == zmq.EINTR then return server.running end
      io.stderr:write("luatorch-server: ", err, "\n")
      return false
    end
    if zap_at and ready[zap_at] then guard:serve_zap() end
    if monitor_at and ready[monitor_at] then forget_disconnected(server) end
    -- the input served first takes turns, so that no socket's traffic starves another's
    local from
    for k = 1, n_inputs do
      local i = (turn + k - 1) % n_inputs + 1
      if ready[i] then from = inputs[i]; break end
    end
    turn = turn + 1
    if #backlog > 0 then
      local frames = table.remove(backlog, 1)
      serve_frames(frames, frames.sock)
    elseif from then
      local frames = zmq.recv_multipart(from, zmq.DONTWAIT)
      if frames then serve_frames(frames, from) end
    else
      marshal.settle()  -- idle: let go of sent tensors nobody else holds
      server.memory:idle()
      if not parent_alive(opts.parent_pid) then return false end
    end
    return server.running
  end
  return server
end

return _M
