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

local pairs, pcall, os_time = pairs, pcall, os.time

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
-- sends `close`: drop its objects when ZeroMQ reports its connection gone.
local function forget_disconnected(server)
  while true do
    local fd = zmq.read_disconnect(server.monitor)
    if fd == nil then return end
    for identity, client in pairs(server.clients) do
      if fd and client.fd == fd then forget_client(server, identity) end
    end
  end
end

-- Messages from a session's parent (sessions.lua) start with an empty frame, which no
-- ROUTER identity is: {"", "gone", identity} says that client disconnected.
local function control(server, frames)
  local what = frames[2] and zmq.frame_string(frames[2])
  if what == "gone" and frames[3] then
    forget_client(server, zmq.frame_string(frames[3]))
    if server.on_client_gone then server.on_client_gone() end
  end
end

local function parent_alive(pid)
  return not pid or ffi.C.kill(pid, 0) == 0
end

-- opts: the server options; sock: where requests come from (the ROUTER, or a session
-- worker's PAIR); extra: { monitor =, guard =, epoch = }.
function _M.new(opts, sock, extra)
  local server = {
    running = true, clients = {}, allow_shutdown = opts.allow_shutdown,
    torch_version = aten.config.torch_version, sock = sock, marshal = marshal,
    callback_results = {}, callback_owner = {}, epoch = extra.epoch,
    limits = { max_header = opts.max_header_bytes },
    memory = Memory.new(opts.gc_bytes), monitor = extra.monitor,
  }
  local guard = extra.guard
  if server.monitor then server.read_disconnects = function() forget_disconnected(server) end end
  interrupt.install(server)
  local function serve_frames(frames)
    if frames[1].size == 0 then
      control(server, frames)
      zmq.release(frames)
      return
    end
    -- serve() cannot raise by design; this pcall is the backstop that keeps the
    -- server up should a defect (or running out of memory) prove otherwise
    local ok, problem = pcall(serve.serve, server, sock, frames)
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
      serve_frames(frames)
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
  -- serve at most one message; false when the server must stop
  function server.serve_next(timeout_ms)
    local backlog = server.backlog  -- read while a request ran (interrupt.lua)
    if #backlog == 0 and not zap then return receive(timeout_ms) end
    if #backlog > 0 then timeout_ms = 0 end
    local ready, monitor_ready, zap_ready = zmq.poll_in(sock, timeout_ms, server.monitor,
      guard and guard.zap)
    if ready == nil then
      if zap_ready == zmq.EINTR then return server.running end
      io.stderr:write("luatorch-server: ", monitor_ready, "\n")
      return false
    end
    if zap_ready then guard:serve_zap() end
    if monitor_ready then forget_disconnected(server) end
    if #backlog > 0 then
      serve_frames(table.remove(backlog, 1))
    elseif ready then
      local frames = zmq.recv_multipart(sock, zmq.DONTWAIT)
      if frames then serve_frames(frames) end
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
