-- A session worker's own socket (bridge/PROTOCOL.md §2.5, "Direct connections"): once a
-- client's session is up, the client talks to its worker here instead of through the
-- parent, so a call no longer crosses the parent twice. The socket is as closed as the
-- public one: on the same transport and interface, CurveZMQ with the same server key and
-- the same authorized client keys (a ZAP handler of the worker's own: auth.lua), an ipc
-- path beside the public one (in its 0700 directory), plain only where --insecure let the
-- public endpoint be plain (loopback). On top of that, only a client the worker already
-- serves through the parent (its routing id known, and offered the socket) is served here.
local zmq = require "server.zmq"
local auth = require "server.auth"

local format = string.format

local _M = {}

-- The endpoint worker number n binds, derived from the public endpoint (the one actually
-- bound): ipc -> the same path with ".session-n" appended; tcp -> the same address, a
-- port the system picks. nil for anything else.
function _M.endpoint_for(public, n)
  local transport, rest = public:match("^(%w+)://(.*)$")
  if transport == "ipc" then return format("ipc://%s.session-%d", rest, n) end
  if transport == "tcp" then
    local host = rest:match("^(.*):%d+$")
    if host then return format("tcp://%s:0", host) end
  end
  return nil
end

-- The socket file of an ipc endpoint, to remove once the worker is gone; nil otherwise
-- (abstract ipc names, '@...', leave nothing behind).
function _M.ipc_path(endpoint)
  local path = endpoint and endpoint:match("^ipc://(.*)$")
  if path and path:sub(1, 1) ~= "@" then return path end
  return nil
end

-- Bind the worker's ROUTER at `endpoint` in the worker's context, with the public socket's
-- options and security. guard: the parent's CurveZMQ guard (auth.curve), or nil when the
-- public socket is ipc or plain. Returns { sock =, endpoint = (as bound), guard =,
-- monitor = }, or nil and why.
function _M.open(ctx, endpoint, opts, guard)
  local sock = zmq.socket(ctx, zmq.ROUTER)
  zmq.setsockopt_int(sock, zmq.LINGER, 1000)
  zmq.setsockopt_int(sock, zmq.HEARTBEAT_IVL, 2000)
  zmq.setsockopt_int(sock, zmq.HEARTBEAT_TIMEOUT, 6000)
  zmq.setsockopt_int64(sock, zmq.MAXMSGSIZE, opts.max_message_bytes)
  local worker_guard, err
  if guard then
    worker_guard, err = auth.curve_like(guard, ctx, sock)
    if not worker_guard then zmq.close(sock); return nil, err end
  end
  local ok, berr = zmq.bind(sock, endpoint)
  if not ok then
    if worker_guard then worker_guard:close() end
    zmq.close(sock)
    return nil, berr
  end
  local monitor = zmq.monitor_disconnects(ctx, sock, "luatorch-direct-monitor")
  return { sock = sock, endpoint = zmq.last_endpoint(sock) or endpoint, guard = worker_guard,
    monitor = monitor }
end

function _M.close(direct)
  if direct.monitor then zmq.close(direct.monitor) end
  if direct.guard then direct.guard:close() end
  zmq.close(direct.sock)
  local path = _M.ipc_path(direct.endpoint)
  if path then os.remove(path) end
end

return _M
