-- The luatorch server: a ZeroMQ ROUTER that serves the Torch7 runtime to clients
-- (bridge/PROTOCOL.md): options, the socket and its security (auth.lua), then either one
-- serving loop for every client (loop.lua) or a session per client (sessions.lua).
local zmq = require "server.zmq"
local options = require "server.options"
local auth = require "server.auth"
local ffi = require "ffi"

pcall(ffi.cdef, "int usleep(unsigned int usec);")  -- sys/init.lua may have declared it

local IDLE_MS = 1000
local BIND_RETRY_S, EADDRINUSE = 3, 98

local function fail(msg, code)
  io.stderr:write("luatorch-server: ", msg, "\n")
  os.exit(code or 1)
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
  -- a server killed a moment ago may still hold the port for a few milliseconds (its forked
  -- session workers inherited the listening socket and die with it): a restart waits for it
  local ok, err, errno = zmq.bind(sock, opts.listen)
  local deadline = os.time() + BIND_RETRY_S
  while not ok and errno == EADDRINUSE and os.time() <= deadline do
    ffi.C.usleep(50000)
    ok, err, errno = zmq.bind(sock, opts.listen)
  end
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
  local torch = require "torch"
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
  if opts.sessions then
    require("server.sessions").run(ctx, sock, opts, { epoch = epoch, guard = guard,
      endpoint = endpoint })
  else
    local server = require("server.loop").new(opts, sock, { epoch = epoch, guard = guard,
      monitor = zmq.monitor_disconnects(ctx, sock, "luatorch-monitor") })
    while server.serve_next(IDLE_MS) do end
    if server.monitor then zmq.close(server.monitor) end  -- every socket, or term() waits forever
  end
  if guard then guard:close() end
  zmq.close(sock)
  zmq.term(ctx)
end

main(arg or {})
