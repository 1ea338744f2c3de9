-- The luatorch server: a ZeroMQ ROUTER that serves the Torch7 runtime to clients
-- (bridge/PROTOCOL.md). One request at a time (serve.lua); nothing a client sends can stop
-- it, and what clients release is returned to the system promptly (memory.lua).
local ffi = require "ffi"
local zmq = require "server.zmq"
local options = require "server.options"
local errors = require "server.errors"
local Memory = require "server.memory"
local auth = require "server.auth"
local interrupt = require "server.interrupt"

local pairs, pcall = pairs, pcall

ffi.cdef [[ int kill(int pid, int sig); ]]

local IDLE_MS = 1000

local function fail(msg, code)
  io.stderr:write("luatorch-server: ", msg, "\n")
  os.exit(code or 1)
end

-- A client whose connection dropped (a notebook kernel restarted, a script killed) never
-- sends `close`: drop its objects when ZeroMQ reports its connection gone.
local function forget_disconnected(server)
  while true do
    local fd = zmq.read_disconnect(server.monitor)
    if fd == nil then return end
    for identity, client in pairs(server.clients) do
      if fd and client.fd == fd then
        client.registry:clear()
        client.gone = true
        server.clients[identity] = nil
        server.memory:client_gone()
      end
    end
  end
end

local function parent_alive(pid)
  return pid == nil or ffi.C.kill(pid, 0) == 0
end

-- A random id for this run of the server: proxies from an earlier run are refused.
local function new_epoch()
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(8) or tostring(os.time()) .. tostring(os.clock())
  if f then f:close() end
  return (bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function open_socket(ctx, opts)
  local mode, why = auth.mode(opts.listen, opts)
  if not mode then fail(why, 2) end
  local sock = zmq.socket(ctx, zmq.ROUTER)
  zmq.setsockopt_int(sock, zmq.LINGER, 1000)
  zmq.setsockopt_int(sock, zmq.HEARTBEAT_IVL, 2000)
  zmq.setsockopt_int(sock, zmq.HEARTBEAT_TIMEOUT, 6000)
  zmq.setsockopt_int64(sock, zmq.MAXMSGSIZE, opts.max_message_bytes)
  local guard
  if mode == "curve" then
    local err
    guard, err = auth.curve(ctx, sock, opts)
    if not guard then fail("cannot set up CurveZMQ: " .. tostring(err)) end
  end
  local ok, err = zmq.bind(sock, opts.listen)
  if not ok then fail("cannot " .. err) end
  return sock, guard, mode
end

local function main(argv)
  local opts, err = options.parse(argv)
  if not opts then fail(err .. "\n" .. options.USAGE, 2) end
  if opts.help then print(options.USAGE); os.exit(0) end
  local ctx = zmq.context()
  local sock, guard, mode = open_socket(ctx, opts)
  -- the runtime loads only once the arguments proved usable: a mistake is reported at once
  local serve, marshal = require "server.serve", require "server.marshal"
  local torch, aten = require "torch", require "aten"
  local endpoint = zmq.last_endpoint(sock) or opts.listen
  local epoch = new_epoch()
  if opts.connection_file then
    local ok, werr = auth.write_connection_file(opts.connection_file, endpoint, guard, { epoch = epoch })
    if not ok then fail("cannot write the connection file: " .. tostring(werr)) end
  end
  io.stderr:write("luatorch server (", torch.runtime, ", libzmq ", zmq.version(), ") listening on ",
    endpoint, mode == "curve" and " (CurveZMQ)" or mode == "plain" and " (NO AUTHENTICATION)" or "",
    "\n")
  if opts.announce then
    io.stdout:write("LUATORCH-LISTENING ", endpoint, "\n")
    io.stdout:flush()
  end
  local server = {
    running = true, clients = {}, allow_shutdown = opts.allow_shutdown,
    torch_version = aten.config.torch_version, sock = sock, marshal = marshal,
    callback_results = {}, callback_owner = {}, epoch = epoch,
    limits = { max_header = opts.max_header_bytes },
    memory = Memory.new(opts.gc_bytes),
    monitor = zmq.monitor_disconnects(ctx, sock, "luatorch-monitor"),
  }
  interrupt.install(server)
  local function serve_frames(frames)
    -- serve() cannot raise by design; this pcall is the backstop that keeps the
    -- server up should a defect (or running out of memory) prove otherwise
    local ok, problem = pcall(serve.serve, server, sock, frames)
    zmq.release(frames)
    if not ok then io.stderr:write("luatorch-server: ", errors.describe(problem), "\n") end
    server.memory:after_message()
  end
  -- serve at most one message; false when the server must stop
  function server.serve_next(timeout_ms)
    local backlog = server.backlog  -- read while a request ran (interrupt.lua)
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
      server.memory:idle()
      if not parent_alive(opts.parent_pid) then return false end
    end
    return server.running
  end
  while server.serve_next(IDLE_MS) do end
  if server.monitor then zmq.close(server.monitor) end  -- every socket, or term() waits forever
  if guard then guard:close() end
  zmq.close(sock)
  zmq.term(ctx)
end

main(arg or {})
