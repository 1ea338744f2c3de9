-- The server's command line: endpoints, security and resource limits, with defaults.
local tonumber, tostring = tonumber, tostring

local _M = {}

local MiB, GiB = 1024 * 1024, 1024 * 1024 * 1024

_M.USAGE = [[
usage: luatorch-server [--listen ENDPOINT] [options]
  --listen ENDPOINT        ZeroMQ endpoint to bind (default tcp://127.0.0.1:5555)
  --announce               print "LUATORCH-LISTENING <endpoint>" on stdout once bound
  --allow-shutdown         let clients stop the server with a shutdown request
  --parent-pid PID         exit when process PID is gone (private servers of a client)
  --shared                 one Lua state for every client, in this process (private
                           servers of one client use it); by default each connection
                           gets a session of its own: a Lua state in a worker process
                           forked per session; client.connect(..., session="name")
                           joins a session several connections share
  --no-direct              sessions' clients stay on this endpoint (the parent forwards
                           their messages) instead of moving to their worker's own
                           socket (same transport and security, another port or path)
security (README.md, "Security model"):
  --connection-file FILE   required for tcp://: serve with CurveZMQ and write FILE (JSON,
                           mode 0600) with the endpoint, the server's public key and a
                           client key pair it authorizes; client.connect("FILE")
  --authorized-keys DIR    also admit the client public keys in DIR (pyzmq/czmq
                           certificate files, or files holding one Z85 key)
  --insecure               serve tcp:// without authentication: loopback only
limits:
  --max-message-bytes N    largest frame a client may send; bigger ones drop the
                           connection (ZMQ_MAXMSGSIZE; default 8 GiB)
  --max-header-bytes N     largest header frame (default and at most 64 MiB)
  --max-sessions N         sessions (worker processes) at most at once (default 64)
  --gc-bytes N             a full garbage collection runs as soon as released tensors
                           held this many bytes (default 64 MiB); an idle server
                           collects what any release left within a second]]

local DEFAULTS = {
  listen = "tcp://127.0.0.1:5555",
  max_message_bytes = 8 * GiB,
  max_header_bytes = 64 * MiB,
  gc_bytes = 64 * MiB,
  max_sessions = 64,
}

local FLAGS = { ["--announce"] = "announce", ["--allow-shutdown"] = "allow_shutdown",
  ["--insecure"] = "insecure", ["--sessions"] = "sessions", ["--shared"] = "shared",
  ["--no-direct"] = "no_direct" }
local VALUES = { ["--listen"] = "listen", ["--connection-file"] = "connection_file",
  ["--authorized-keys"] = "authorized_keys" }
local COUNTS = {
  ["--parent-pid"] = "parent_pid", ["--max-message-bytes"] = "max_message_bytes",
  ["--max-header-bytes"] = "max_header_bytes", ["--gc-bytes"] = "gc_bytes",
  ["--max-sessions"] = "max_sessions",
}

-- Returns the options table, or nil and a message naming the bad argument.
function _M.parse(argv)
  local opts = {}
  for k, v in pairs(DEFAULTS) do opts[k] = v end
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "-h" or a == "--help" then
      opts.help = true
    elseif FLAGS[a] then
      opts[FLAGS[a]] = true
    elseif VALUES[a] or COUNTS[a] then
      local v = argv[i + 1]
      if v == nil then return nil, a .. " needs a value" end
      if COUNTS[a] then
        v = tonumber(v)
        if not v or v < 0 or v ~= math.floor(v) then return nil, a .. " needs a whole number" end
      end
      opts[VALUES[a] or COUNTS[a]] = v
      i = i + 1
    else
      return nil, "unknown argument " .. tostring(a)
    end
    i = i + 1
  end
  opts.sessions = not opts.shared
  if opts.max_header_bytes > DEFAULTS.max_header_bytes then
    return nil, "--max-header-bytes cannot exceed the protocol's 64 MiB"
  end
  return opts
end

return _M
