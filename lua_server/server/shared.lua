-- Tensors in a local client's shared memory (bridge/PROTOCOL.md §5.4, an optional
-- capability): the client's numpy array and the server's tensor are the same pages.
-- A client proves it runs on this machine (and that the server may open its memory) by
-- writing a nonce the server gave it into a memfd the server then reads through
-- /proc/<pid>/fd/<fd>; from then on ext 5 values name its sealed memfds the same way, and
-- the server names the memory of such tensors in replies by its own pid and fd.
local ffi = require "ffi"
local mp = require "server.msgpack"
local wire = require "server.wire"
local core = require "torch.core"
local types = require "torch.types"
local aten = require "aten"
require "aten.blob"

ffi.cdef [[
lt_tensor* lt_tensor_from_shared(int pid, int fd, uint64_t inode, int64_t offset,
                                 const int64_t* sizes, int ndim, int dtype, char* err, int errlen);
int lt_tensor_shared_origin(lt_tensor* t, int* fd, uint64_t* inode, int64_t* offset);
int lt_read_probe(int pid, int fd, char* out, int n);
]]
pcall(ffi.cdef, "int getpid(void);")  -- other modules may declare it too

local C = aten.C
local byte, char, format, floor = string.byte, string.char, string.format, math.floor
local M = { EXT_SHARED = 5, NONCE_BYTES = 16 }
local sizes_buf = ffi.new("int64_t[64]")
local err_buf = ffi.new("char[256]")

local TWO32, EXACT = 4294967296, 9007199254740992

local function protocol(fmt_, ...)
  error({ ename = "ProtocolError", evalue = "shared memory: " .. format(fmt_, ...) }, 0)
end

local u32, be32, be64 = wire.read_u32, wire.be32, wire.be64

local function hex(bytes)
  return (bytes:gsub(".", function(c) return format("%02x", byte(c)) end))
end

-- op shm_nonce: a fresh secret for this connection, which only a process of this machine
-- can hand back through its memory.
function M.nonce(_, _, client)
  local f = assert(io.open("/dev/urandom", "rb"))
  local nonce = hex(f:read(M.NONCE_BYTES))
  f:close()
  client.shm_nonce, client.shm_pid = nonce, nil
  return { n = 1, nonce }
end

local function count(req, field, limit)
  local v = req[field]
  if type(v) ~= "number" or v < 0 or v ~= floor(v) or v > limit then
    protocol("shm_attach needs an integer field '%s'", field)
  end
  return v
end

-- op shm_attach {pid, fd}: the memfd /proc/pid/fd/fd starts with this connection's nonce.
-- The reply is true, or false and why (the client then sends tensors as frames).
function M.attach(_, req, client)
  local pid, fd = count(req, "pid", 2147483647), count(req, "fd", 2147483647)
  local nonce = client.shm_nonce
  if not nonce then protocol("shm_attach before shm_nonce") end
  client.shm_nonce = nil  -- one try per nonce
  local got = C.lt_read_probe(pid, fd, err_buf, #nonce)
  if got ~= #nonce or ffi.string(err_buf, got) ~= nonce then
    return { n = 2, false, "the server cannot read the client's memory: not the same machine (or user)" }
  end
  client.shm_pid = pid
  return { n = 1, true }
end

local function read_u64(p, pos, what)
  local hi = u32(p, pos)
  if hi >= 2097152 then protocol("%s is 2^53 or more", what) end
  return hi * TWO32 + u32(p, pos + 4)
end

-- ext 5 payload: dtype, flags (2), ndim, sizes (8 bytes each), pid, fd (4 bytes each),
-- inode, offset (8 bytes each), all big-endian: the tensor over those bytes of the memfd
-- open as fd in process pid (the sender).
function M.tensor_from_wire(payload, client)
  if not client.shm_pid then protocol("ext 5 from a client that did not attach (shm_attach)") end
  local n = #payload
  if n < 3 then protocol("payload of %d bytes is shorter than its 3-byte prefix", n) end
  local dtype, flags, ndim = byte(payload, 1, 3)
  if not wire.itemsize[dtype] then protocol("unknown tensor dtype code %d", dtype) end
  if flags ~= 2 then protocol("flags must be 2, got %d", flags) end
  if ndim > wire.MAX_NDIM then protocol("%d dimensions, more than %d", ndim, wire.MAX_NDIM) end
  if n ~= 3 + 8 * ndim + 24 then protocol("payload is %d bytes, expected %d", n, 3 + 8 * ndim + 24) end
  local nbytes = wire.itemsize[dtype]
  local sizes = {}
  for i = 1, ndim do
    sizes[i] = read_u64(payload, 8 * i - 4, "size " .. i)
    nbytes = nbytes * sizes[i]
    if nbytes > EXACT then protocol("tensor is too large") end
  end
  local at = 4 + 8 * ndim
  local pid, fd = u32(payload, at), u32(payload, at + 4)
  local inode = read_u64(payload, at + 8, "inode")
  local offset = read_u64(payload, at + 16, "offset")
  if pid ~= client.shm_pid then protocol("memory of process %d, but this client is process %d", pid, client.shm_pid) end
  if fd > 2147483647 then protocol("fd %d is out of range", fd) end
  if #sizes == 0 then sizes[1] = 1 end  -- Torch7 has no 0-dim tensors
  for i = 1, #sizes do sizes_buf[i - 1] = sizes[i] end
  local info = types.by_tensor_name[wire.tensor_typename[dtype]]
  local h = C.lt_tensor_from_shared(pid, fd, inode, offset, sizes_buf, #sizes, info.dtype, err_buf, 256)
  if h == nil then protocol("%s", ffi.string(err_buf)) end
  return core.make(core.tensor_mt[info], aten.own(h))
end

local fd_out, inode_out, offset_out = ffi.new("int[1]"), ffi.new("uint64_t[1]"), ffi.new("int64_t[1]")


-- The ext 5 value for tensor t when its memory is still shared memory; nil otherwise.
function M.to_wire(t, code, sizes)
  if C.lt_tensor_shared_origin(t._h, fd_out, inode_out, offset_out) ~= 1 then return nil end
  local parts = { char(code, 2, #sizes) }
  for i = 1, #sizes do parts[i + 1] = be64(sizes[i]) end
  parts[#parts + 1] = be32(ffi.C.getpid()) .. be32(fd_out[0]) .. be64(tonumber(inode_out[0]))
    .. be64(tonumber(offset_out[0]))
  return mp.ext(M.EXT_SHARED, table.concat(parts))
end

return M
