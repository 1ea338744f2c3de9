-- Who may talk to the server. TCP endpoints require CurveZMQ (encryption plus a key the
-- server authorized, checked by a ZAP handler); ipc:// endpoints are guarded by the
-- filesystem (their directory must be private, 0700); plain TCP only with --insecure, and
-- only on loopback. See README.md, "Security model".
local ffi = require "ffi"
local zmq = require "server.zmq"
local lfs = require "lfs"
local cjson = require "cjson"

local C = ffi.C
local type, pairs, tostring, format = type, pairs, tostring, string.format

ffi.cdef [[
unsigned int umask(unsigned int mask);
int chmod(const char *path, unsigned int mode);
int gethostname(char *name, size_t len);
]]

local _M = { ZAP_ENDPOINT = "inproc://zeromq.zap.01", DOMAIN = "luatorch" }

local Auth = {}
Auth.__index = Auth

local function is_loopback(host)
  return host == "localhost" or host:match("^127%.%d+%.%d+%.%d+$") ~= nil or host == "[::1]"
end

-- "curve", "ipc" or "plain" for an endpoint, or nil and why it may not be served so.
function _M.mode(endpoint, opts)
  local transport, rest = endpoint:match("^(%w+)://(.*)$")
  if transport == "ipc" then
    if rest:sub(1, 1) == "@" and not opts.insecure then
      return nil, "abstract ipc:// sockets are reachable by every local user; use a path in a "
        .. "0700 directory (or --insecure)"
    end
    local dir = rest:match("^(.*)/[^/]*$") or "."
    local perms = lfs.attributes(dir, "permissions")
    if not perms then return nil, "the directory of " .. endpoint .. " does not exist" end
    if perms:sub(4) ~= "------" and not opts.insecure then
      return nil, format("%s is in %s, which other users can reach (%s); use a 0700 directory",
        endpoint, dir, perms)
    end
    return "ipc"
  elseif transport == "tcp" then
    if opts.insecure then
      local host = rest:match("^(.*):[^:]*$") or rest
      if not is_loopback(host) then
        return nil, "--insecure serves without authentication, so only on loopback "
          .. "(tcp://127.0.0.1:PORT), not " .. endpoint
      end
      return "plain"
    end
    if not opts.connection_file then
      return nil, "a tcp:// endpoint needs --connection-file FILE (CurveZMQ keys for clients); "
        .. "or --insecure on loopback"
    end
    if not zmq.has("curve") then return nil, "this libzmq was built without CURVE" end
    return "curve"
  end
  if opts.insecure then return "plain" end
  return nil, "unsupported endpoint " .. endpoint .. " (use tcp:// or ipc://)"
end

-- Z85 public keys in a directory: pyzmq / czmq certificate files (`public-key = "..."`,
-- secret ones skipped) or files holding just the 40-character key.
function _M.read_key_dir(dir)
  local keys = {}
  if lfs.attributes(dir, "mode") ~= "directory" then return nil, dir .. " is not a directory" end
  for name in lfs.dir(dir) do
    local path = dir .. "/" .. name
    if lfs.attributes(path, "mode") == "file" and not name:match("_secret$") then
      local f = io.open(path, "rb")
      local text = f and f:read(4096) or ""
      if f then f:close() end
      local key = text:match('public%-key%s*=%s*"([^"]+)"') or text:match("^%s*(%S+)%s*$")
      if key and #key == 40 then keys[key] = true end
    end
  end
  return keys
end

local function hostname()
  local buf = ffi.new("char[256]")
  if C.gethostname(buf, 256) ~= 0 then return "localhost" end
  return ffi.string(buf)
end

-- The endpoint a client elsewhere should dial: a wildcard bind names this host instead.
local function dialable(endpoint)
  return (endpoint:gsub("^tcp://[%*]:", "tcp://" .. hostname() .. ":")
                  :gsub("^tcp://0%.0%.0%.0:", "tcp://" .. hostname() .. ":"))
end

-- Write JSON readable by its owner only (mode 0600 from creation on).
local function write_private(path, text)
  os.remove(path)
  local old = C.umask(tonumber("077", 8))
  local f, err = io.open(path, "w")
  C.umask(old)
  if not f then return nil, err end
  f:write(text)
  f:close()
  C.chmod(path, tonumber("600", 8))
  return true
end

-- A CURVE server on sock: its own key pair, a client key pair for the connection file, the
-- keys of --authorized-keys, and a ZAP handler admitting exactly those.
function _M.curve(ctx, sock, opts)
  local self = setmetatable({ authorized = {} }, Auth)
  self.public, self.secret = zmq.curve_keypair()
  if not self.public then return nil, self.secret end
  self.client_public, self.client_secret = zmq.curve_keypair()
  self.authorized[self.client_public] = true
  if opts.authorized_keys then
    local keys, err = _M.read_key_dir(opts.authorized_keys)
    if not keys then return nil, err end
    for k in pairs(keys) do self.authorized[k] = true end
  end
  self.zap = zmq.socket(ctx, zmq.REP)
  local ok, err = zmq.bind(self.zap, _M.ZAP_ENDPOINT)
  if not ok then return nil, err end
  zmq.setsockopt_int(sock, zmq.CURVE_SERVER, 1)
  zmq.setsockopt_string(sock, zmq.CURVE_SECRETKEY, self.secret)
  zmq.setsockopt_string(sock, zmq.ZAP_DOMAIN, _M.DOMAIN)
  return self
end

-- The same CurveZMQ server (key pair, authorized keys) on another socket, in another
-- context: a session worker's own socket (direct.lua), with a ZAP handler in its context.
function _M.curve_like(guard, ctx, sock)
  local self = setmetatable({ authorized = guard.authorized, public = guard.public,
    secret = guard.secret }, Auth)
  self.zap = zmq.socket(ctx, zmq.REP)
  local ok, err = zmq.bind(self.zap, _M.ZAP_ENDPOINT)
  if not ok then zmq.close(self.zap); return nil, err end
  zmq.setsockopt_int(sock, zmq.CURVE_SERVER, 1)
  zmq.setsockopt_string(sock, zmq.CURVE_SECRETKEY, self.secret)
  zmq.setsockopt_string(sock, zmq.ZAP_DOMAIN, _M.DOMAIN)
  return self
end

-- Answer one ZAP request (RFC 27): 200 for an authorized CURVE key, 400 otherwise.
function Auth:serve_zap()
  local frames = zmq.recv_multipart(self.zap, zmq.DONTWAIT)
  if not frames then return end
  local parts = {}
  for i = 1, #frames do parts[i] = zmq.frame_string(frames[i]) end
  zmq.release(frames)
  local key = parts[6] == "CURVE" and parts[7] and zmq.z85(parts[7])
  local allowed = key ~= nil and self.authorized[key] == true
  zmq.send_multipart(self.zap, { "1.0", parts[2] or "", allowed and "200" or "400",
    allowed and "OK" or "client key not authorized", allowed and key or "", "" })
end

-- The connection file a client needs: the endpoint and, for CURVE, the server's public key
-- and a client key pair the server authorizes (guard: the curve() object, or nil).
function _M.write_connection_file(path, endpoint, guard, extra)
  local info = { endpoint = dialable(endpoint) }
  if guard then
    info.server_public_key, info.client_public_key, info.client_secret_key =
      guard.public, guard.client_public, guard.client_secret
  end
  for k, v in pairs(extra or {}) do info[k] = v end
  return write_private(path, cjson.encode(info))
end

function Auth:close()
  if self.zap then zmq.close(self.zap); self.zap = nil end
end

_M.write_private = write_private
_M.is_loopback = is_loopback
return _M
