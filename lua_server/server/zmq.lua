-- libzmq through LuaJIT's FFI: the few calls the server needs, 1:1, plus multipart
-- receive/send helpers. Frames are received as zmq_msg_t so tensor bytes are copied once,
-- straight from libzmq's buffer into the tensor.
local ffi = require "ffi"
local vla = require "aten.vla"  -- variable-length arrays the JIT may not sink (see there)

local C_string, ffi_new = ffi.string, ffi.new
local error, tonumber = error, tonumber

ffi.cdef [[
typedef struct luatorch_zmq_msg_t { unsigned char _[64]; } __attribute__((aligned(8))) luatorch_zmq_msg_t;
typedef struct luatorch_zmq_pollitem_t { void *socket; int fd; short events; short revents; } luatorch_zmq_pollitem_t;
void *zmq_ctx_new(void);
int zmq_ctx_term(void *context);
void *zmq_socket(void *, int type);
int zmq_close(void *s);
int zmq_setsockopt(void *s, int option, const void *optval, size_t optvallen);
int zmq_getsockopt(void *s, int option, void *optval, size_t *optvallen);
int zmq_bind(void *s, const char *addr);
int zmq_send(void *s, const void *buf, size_t len, int flags);
int zmq_msg_init(luatorch_zmq_msg_t *msg);
int zmq_msg_recv(luatorch_zmq_msg_t *msg, void *s, int flags);
int zmq_msg_send(luatorch_zmq_msg_t *msg, void *s, int flags);
int zmq_msg_close(luatorch_zmq_msg_t *msg);
void *zmq_msg_data(luatorch_zmq_msg_t *msg);
size_t zmq_msg_size(const luatorch_zmq_msg_t *msg);
int zmq_msg_more(const luatorch_zmq_msg_t *msg);
int zmq_errno(void);
const char *zmq_strerror(int errnum);
int zmq_poll(luatorch_zmq_pollitem_t *items, int nitems, long timeout);
int zmq_msg_get(const luatorch_zmq_msg_t *msg, int property);
int zmq_socket_monitor(void *s, const char *addr, int events);
int zmq_connect(void *s, const char *addr);
void zmq_version(int *major, int *minor, int *patch);
int zmq_curve_keypair(char *z85_public_key, char *z85_secret_key);
char *zmq_z85_encode(char *dest, const uint8_t *data, size_t size);
int zmq_has(const char *capability);
]]

-- Debian's libzmq5 ships only the versioned name; a dev install also has libzmq.so
local ok, lib = pcall(ffi.load, "libzmq.so.5")
if not ok then lib = ffi.load("zmq") end

local _M = {
  ROUTER = 6, DEALER = 5, SNDMORE = 2, DONTWAIT = 1, POLLIN = 1,
  LINGER = 17, SNDTIMEO = 28, RCVTIMEO = 27, SNDHWM = 23, MAXMSGSIZE = 22, REP = 4,
  CURVE_SERVER = 47, CURVE_PUBLICKEY = 48, CURVE_SECRETKEY = 49, ZAP_DOMAIN = 55, LAST_ENDPOINT = 32, ROUTER_MANDATORY = 33,
  HEARTBEAT_IVL = 75, HEARTBEAT_TTL = 76, HEARTBEAT_TIMEOUT = 77,
  EINTR = 4, EAGAIN = 11, EHOSTUNREACH = 113,
  PAIR = 0, SRCFD = 2, EVENT_DISCONNECTED = 0x0200,
}

local function check(rc, what)
  if rc == -1 or rc == nil then
    local errno = lib.zmq_errno()
    return nil, what .. ": " .. C_string(lib.zmq_strerror(errno)), errno
  end
  return rc
end

function _M.context()
  local ctx = lib.zmq_ctx_new()
  if ctx == nil then error("zmq_ctx_new failed: " .. C_string(lib.zmq_strerror(lib.zmq_errno())), 2) end
  return ctx
end

function _M.term(ctx) lib.zmq_ctx_term(ctx) end

function _M.socket(ctx, kind)
  local s = lib.zmq_socket(ctx, kind)
  if s == nil then error("zmq_socket failed: " .. C_string(lib.zmq_strerror(lib.zmq_errno())), 2) end
  return s
end

function _M.close(s) lib.zmq_close(s) end

local int_opt = ffi_new("int[1]")
function _M.setsockopt_int(s, option, value)
  int_opt[0] = value
  return check(lib.zmq_setsockopt(s, option, int_opt, ffi.sizeof("int")), "zmq_setsockopt")
end

local int64_opt = ffi_new("int64_t[1]")
function _M.setsockopt_int64(s, option, value)
  int64_opt[0] = value
  return check(lib.zmq_setsockopt(s, option, int64_opt, 8), "zmq_setsockopt")
end

function _M.setsockopt_string(s, option, value)
  return check(lib.zmq_setsockopt(s, option, value, #value), "zmq_setsockopt")
end

function _M.connect(s, endpoint)
  return check(lib.zmq_connect(s, endpoint), "connect " .. endpoint)
end

function _M.bind(s, endpoint)
  return check(lib.zmq_bind(s, endpoint), "bind " .. endpoint)
end

-- the endpoint actually bound (resolves tcp port 0)
function _M.last_endpoint(s)
  local buf = ffi_new("char[256]")
  local len = ffi_new("size_t[1]", 256)
  if lib.zmq_getsockopt(s, _M.LAST_ENDPOINT, buf, len) ~= 0 then return nil end
  return C_string(buf)
end

local pollitems = ffi_new("luatorch_zmq_pollitem_t[3]")
-- Wait up to timeout_ms for input on s (and on s2, s3 when given). Returns whether each has
-- a message ready; nil, err, errno on failure (EINTR included).
function _M.poll_in(s, timeout_ms, s2, s3)
  local socks, n = { s, s2, s3 }, 0
  for i = 1, 3 do
    if socks[i] then
      pollitems[n].socket, pollitems[n].events, pollitems[n].revents = socks[i], _M.POLLIN, 0
      n = n + 1
    end
  end
  local rc, err, errno = check(lib.zmq_poll(pollitems, n, timeout_ms), "zmq_poll")
  if not rc then return nil, err, errno end
  local ready, k = {}, 0
  for i = 1, 3 do
    if socks[i] then
      ready[i] = rc > 0 and pollitems[k].revents % 2 == 1
      k = k + 1
    end
  end
  return ready[1], ready[2], ready[3]
end

local many_items, many_size = nil, 0
-- Wait up to timeout_ms for input on any of socks[1..n]. Returns a table ready[i] = true
-- for each socket with a message; nil, err, errno on failure (EINTR included).
function _M.poll_many(socks, n, timeout_ms)
  if n > many_size then
    many_size = n * 2
    many_items = vla.new("luatorch_zmq_pollitem_t[?]", many_size)
  end
  for i = 1, n do
    local item = many_items[i - 1]
    item.socket, item.fd, item.events, item.revents = socks[i], 0, _M.POLLIN, 0
  end
  local rc, err, errno = check(lib.zmq_poll(many_items, n, timeout_ms), "zmq_poll")
  if not rc then return nil, err, errno end
  local ready = {}
  if rc > 0 then
    for i = 1, n do ready[i] = many_items[i - 1].revents % 2 == 1 end
  end
  return ready
end

-- The file descriptor of the connection a received frame came by (ZMQ_SRCFD).
function _M.source_fd(frame)
  return lib.zmq_msg_get(frame.msg, _M.SRCFD)
end

-- A PAIR socket receiving s's disconnect events: read them with read_disconnect.
function _M.monitor_disconnects(ctx, s, name)
  local endpoint = "inproc://" .. name
  if lib.zmq_socket_monitor(s, endpoint, _M.EVENT_DISCONNECTED) ~= 0 then return nil end
  local m = _M.socket(ctx, _M.PAIR)
  if lib.zmq_connect(m, endpoint) ~= 0 then _M.close(m); return nil end
  return m
end

-- The fd of one disconnect event from a monitor socket, or nil when none is waiting.
function _M.read_disconnect(m)
  local frames = _M.recv_multipart(m, _M.DONTWAIT)
  if not frames then return nil end
  local fd
  if frames[1].size >= 6 then
    local p = ffi.cast("const uint8_t*", frames[1].ptr)
    local event = p[0] + p[1] * 256  -- event id (uint16) then value (uint32), host order
    if event == _M.EVENT_DISCONNECTED then fd = p[2] + p[3] * 256 + p[4] * 65536 + p[5] * 16777216 end
  end
  _M.release(frames)
  return fd or false
end

-- A received multipart message: frames[i] = {ptr = void*, size = n, msg = zmq_msg_t}.
-- Call release(frames) once the frames' bytes are no longer needed.
function _M.recv_multipart(s, flags)
  local frames = {}
  repeat
    local msg = ffi_new("luatorch_zmq_msg_t")
    lib.zmq_msg_init(msg)
    local rc, err, errno = check(lib.zmq_msg_recv(msg, s, flags or 0), "zmq_msg_recv")
    if not rc then
      lib.zmq_msg_close(msg)
      _M.release(frames)
      return nil, err, errno
    end
    frames[#frames + 1] = { msg = msg, ptr = lib.zmq_msg_data(msg), size = tonumber(lib.zmq_msg_size(msg)) }
  until lib.zmq_msg_more(msg) == 0
  return frames
end

function _M.release(frames)
  for i = 1, #frames do
    local f = frames[i]
    if f.msg then lib.zmq_msg_close(f.msg); f.msg = nil end
  end
end

-- Send received frames on to another socket without copying their bytes (zmq_msg_send
-- takes each message over); frames from `first` on. The frames are released either way.
function _M.forward(frames, dest, first, flags)
  local n, ok = #frames, true
  flags = flags or 0
  for i = first or 1, n do
    local f = frames[i]
    if ok and lib.zmq_msg_send(f.msg, dest, flags + (i < n and _M.SNDMORE or 0)) == -1 then ok = false end
  end
  _M.release(frames)
  return ok
end

function _M.frame_string(frame)
  return C_string(frame.ptr, frame.size)
end

-- Zero-copy frames (issue 10). Sending: part {ptr =, size =, free_fn =, hint =} gives
-- ZeroMQ the bytes themselves (zmq_msg_init_data); free_fn(ptr, hint) runs, on ZeroMQ's I/O
-- thread, once they are sent or dropped. Receiving: take(frame) moves a received frame's
-- message into malloc'd memory, to be closed by msg_close_fn (a C function: see aten/blob).
ffi.cdef [[
typedef void (luatorch_zmq_free_fn)(void *data, void *hint);
int zmq_msg_init_data(luatorch_zmq_msg_t *msg, void *data, size_t size, luatorch_zmq_free_fn *ffn, void *hint);
int zmq_msg_move(luatorch_zmq_msg_t *dest, luatorch_zmq_msg_t *src);
void *malloc(size_t size);
void free(void *p);
]]

_M.msg_close_fn = ffi.cast("int (*)(void*)", lib.zmq_msg_close)

function _M.take(frame)
  local heap = ffi.C.malloc(ffi.sizeof("luatorch_zmq_msg_t"))
  if heap == nil then return nil end
  local msg = ffi.cast("luatorch_zmq_msg_t*", heap)
  lib.zmq_msg_init(msg)
  if lib.zmq_msg_move(msg, frame.msg) ~= 0 then
    lib.zmq_msg_close(msg)
    ffi.C.free(heap)
    return nil
  end
  return heap
end

local function send_lent(s, p, flags)
  local msg = ffi_new("luatorch_zmq_msg_t")
  p.handed = true  -- from here on the free function runs exactly once, below or in ZeroMQ
  if lib.zmq_msg_init_data(msg, p.ptr, p.size, p.free_fn, p.hint) ~= 0 then
    local rc, err, errno = check(-1, "zmq_msg_init_data")
    p.free_fn(p.ptr, p.hint)  -- never handed over: ZeroMQ will not call it
    return rc, err, errno
  end
  local rc, err, errno = check(lib.zmq_msg_send(msg, s, flags), "zmq_msg_send")
  if not rc then lib.zmq_msg_close(msg) end  -- runs free_fn
  return rc, err, errno
end
_M.send_lent = send_lent

-- parts[i] is a Lua string or {ptr = pointer, size = n} (copied by libzmq on send), or a
-- lent part (send_lent, above). extra_flags: DONTWAIT, or nil.
function _M.send_multipart(s, parts, extra_flags)
  local n = #parts
  for i = 1, n do
    local p = parts[i]
    local flags = (i < n and _M.SNDMORE or 0) + (extra_flags or 0)
    local rc, err, errno
    if type(p) == "string" then
      rc, err, errno = check(lib.zmq_send(s, p, #p, flags), "zmq_send")
    elseif p.free_fn then
      rc, err, errno = send_lent(s, p, flags)
    else
      rc, err, errno = check(lib.zmq_send(s, p.ptr, p.size, flags), "zmq_send")
    end
    if not rc then return nil, err, errno end
  end
  return true
end

-- A new CurveZMQ key pair as two 40-character Z85 strings (public, secret).
function _M.curve_keypair()
  local pub, sec = ffi_new("char[41]"), ffi_new("char[41]")
  if lib.zmq_curve_keypair(pub, sec) ~= 0 then
    return nil, "zmq_curve_keypair: " .. C_string(lib.zmq_strerror(lib.zmq_errno()))
  end
  return C_string(pub), C_string(sec)
end

-- A 32-byte binary key (as ZAP hands it over) in Z85 text.
function _M.z85(key32)
  local out = ffi_new("char[41]")
  if #key32 ~= 32 or lib.zmq_z85_encode(out, key32, 32) == nil then return nil end
  return C_string(out)
end

function _M.has(capability) return lib.zmq_has(capability) == 1 end

function _M.version()
  local a, b, c = ffi_new("int[1]"), ffi_new("int[1]"), ffi_new("int[1]")
  lib.zmq_version(a, b, c)
  return string.format("%d.%d.%d", a[0], b[0], c[0])
end

return _M
