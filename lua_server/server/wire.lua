-- The bridge's ext payloads (bridge/PROTOCOL.md, version 1): remote references (ext 1) and
-- tensors by value (ext 2). Packing checks the caller's arguments (error level 2); unpacking
-- checks bytes from the network and names what is wrong, for a ProtocolError reply.
local bit = require "bit"

local byte, char, sub, format = string.byte, string.char, string.sub, string.format
local concat = table.concat
local floor = math.floor
local band, rshift = bit.band, bit.rshift
local type, error, tostring, ipairs = type, error, tostring, ipairs

local _M = {
  VERSION = 1,
  EXT_REF = 1,
  EXT_TENSOR = 2,
  INLINE_MAX = 1024,
  MAX_HEADER = 64 * 1024 * 1024,
  MAX_DEPTH = 64,
  MAX_NDIM = 64,
  MAX_FRAMES = 4294967295,
}

-- dtype code -> bytes per element, and -> the Torch7 tensor class that holds it
_M.itemsize = { 1, 1, 2, 4, 8, 4, 8, 2 }
_M.tensor_typename = {
  "torch.ByteTensor", "torch.CharTensor", "torch.ShortTensor", "torch.IntTensor",
  "torch.LongTensor", "torch.FloatTensor", "torch.DoubleTensor", "torch.HalfTensor",
}
_M.dtype_code = {}
for code, name in ipairs(_M.tensor_typename) do _M.dtype_code[name] = code end

local TWO32 = 4294967296
local EXACT = 9007199254740992  -- 2^53: ids, sizes and byte counts stay exact below it

local function is_count(x, limit)
  return type(x) == "number" and x >= 0 and x == floor(x) and x <= limit
end

local function u32(x)
  return char(rshift(x, 24), band(rshift(x, 16), 255), band(rshift(x, 8), 255), band(x, 255))
end

local function be64(x)
  local hi = floor(x / TWO32)
  return u32(hi) .. u32(x - hi * TWO32)
end

local function read_u32(s, pos)
  local a, b, c, d = byte(s, pos, pos + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local function read_u64(s, pos) return read_u32(s, pos) * TWO32 + read_u32(s, pos + 4) end

-- big-endian integers, as every payload here writes them (shared.lua reads its own with these)
_M.be32, _M.be64, _M.read_u32 = u32, be64, read_u32

local function bad(fmt_, ...) error("wire: " .. format(fmt_, ...), 0) end

function _M.pack_ref(id, typename)
  if not is_count(id, EXACT) then
    error("wire.pack_ref: id must be an integer in [0, 2^53], got " .. tostring(id), 2)
  end
  if type(typename) ~= "string" then error("wire.pack_ref: typename must be a string", 2) end
  return be64(id) .. typename
end

function _M.unpack_ref(payload)
  if type(payload) ~= "string" or #payload < 8 then
    bad("reference payload must be at least 8 bytes, got %s",
      type(payload) == "string" and #payload or type(payload))
  end
  return read_u64(payload, 1), sub(payload, 9)
end

-- Element count and byte count of a tensor, or nil and a message.
local function extent(dtype, sizes)
  local numel = 1
  for i = 1, #sizes do numel = numel * sizes[i] end
  local nbytes = numel * _M.itemsize[dtype]
  if nbytes > EXACT then return nil, format("tensor of %.0f bytes is too large", nbytes) end
  return nbytes
end

function _M.pack_tensor(dtype, sizes, inline, frame)
  if not _M.itemsize[dtype] then
    error("wire.pack_tensor: unknown dtype code " .. tostring(dtype), 2)
  end
  if type(sizes) ~= "table" or #sizes > _M.MAX_NDIM then
    error("wire.pack_tensor: sizes must be an array of at most 64 sizes", 2)
  end
  local parts = { char(dtype, inline and 0 or 1, #sizes) }
  for i = 1, #sizes do
    if not is_count(sizes[i], EXACT) then
      error("wire.pack_tensor: size " .. i .. " is not an integer >= 0", 2)
    end
    parts[i + 1] = be64(sizes[i])
  end
  local nbytes, err = extent(dtype, sizes)
  if not nbytes then error("wire.pack_tensor: " .. err, 2) end
  if (inline == nil) == (frame == nil) then
    error("wire.pack_tensor: give exactly one of inline data and a frame index", 2)
  end
  if inline then
    if type(inline) ~= "string" or #inline ~= nbytes then
      error(format("wire.pack_tensor: inline data must be a string of %d bytes", nbytes), 2)
    end
    parts[#parts + 1] = inline
  else
    if not is_count(frame, _M.MAX_FRAMES) or frame < 1 then
      error("wire.pack_tensor: frame index must be an integer in [1, 2^32-1], got "
        .. tostring(frame), 2)
    end
    parts[#parts + 1] = u32(frame)
  end
  return concat(parts)
end

-- Returns { dtype = code, sizes = {...}, inline = string|nil, frame = index|nil, nbytes = n }.
function _M.unpack_tensor(payload)
  if type(payload) ~= "string" then
    bad("tensor payload must be a string, got %s", type(payload))
  end
  local n = #payload
  if n < 3 then bad("tensor payload is %d bytes, shorter than its 3-byte prefix", n) end
  local dtype, flags, ndim = byte(payload, 1, 3)
  if not _M.itemsize[dtype] then bad("unknown tensor dtype code %d", dtype) end
  if flags > 1 then bad("unknown tensor flags %d (0 = inline, 1 = frame)", flags) end
  if ndim > _M.MAX_NDIM then bad("tensor has %d dimensions, more than %d", ndim, _M.MAX_NDIM) end
  local data = 4 + 8 * ndim
  if n < data - 1 then bad("tensor payload is %d bytes, too short for %d sizes", n, ndim) end
  local sizes = {}
  for i = 1, ndim do
    local hi = read_u32(payload, 8 * i - 4)
    if hi >= 2097152 then bad("tensor size %d is 2^53 or more", i) end
    sizes[i] = hi * TWO32 + read_u32(payload, 8 * i)
  end
  local nbytes, err = extent(dtype, sizes)
  if not nbytes then bad("%s", err) end
  local t = { dtype = dtype, sizes = sizes, nbytes = nbytes }
  if flags == 0 then
    if n - data + 1 ~= nbytes then
      bad("inline tensor data is %d bytes, expected %d (%d elements of %d bytes)",
        n - data + 1, nbytes, nbytes / _M.itemsize[dtype], _M.itemsize[dtype])
    end
    t.inline = sub(payload, data)
  else
    if n - data + 1 ~= 4 then bad("tensor frame index must be 4 bytes, got %d", n - data + 1) end
    t.frame = read_u32(payload, data)
    if t.frame < 1 then bad("tensor frame index 0 is the header; data frames start at 1") end
  end
  return t
end

return _M
