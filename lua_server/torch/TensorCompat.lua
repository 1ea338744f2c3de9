-- Small Torch7 tensor and storage methods kept for API compatibility: real, elementSize,
-- isSize, Tensor.isTensor, free/retain (LuaJIT's GC owns the memory, so they only check
-- their argument), match, the torch.numel/zero/fill function forms, and storage `==`
-- by identity of the underlying storage (luaT's default __eq).
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local C = aten.C
local type, error, getmetatable, rawequal = type, error, getmetatable, rawequal
local isTensor, isStorage = core.isTensor, core.isStorage
local M, S = core.methods, core.storage_methods

--- t:real(): t in the default tensor type (t itself when it already is)
function M:real()
  return self:type(torch.getdefaulttensortype())
end

function M:elementSize()
  return getmetatable(self).__element_size
end

local HALF_BYTES = 2
function S:elementSize()
  local info = getmetatable(self).__storage_info
  return info.ctype and ffi.sizeof(info.ctype) or HALF_BYTES
end

--- t:isSize(LongStorage): same number of dimensions and the same size in each
function M:isSize(sizes)
  if not isStorage(sizes) then core.bad_args("isSize", self, sizes) end
  local n = sizes:size()
  if self:dim() ~= n then return false end
  for d = 1, n do
    if self:size(d) ~= sizes[d] then return false end
  end
  return true
end

M.isTensor = function(v) return isTensor(v) end

local function keep(self) return self end
M.retain, M.free, S.retain, S.free = keep, keep, keep, keep

--- match([res,] m1, m2 [, gain=1]): res[i][j] = gain * ||m1 row i - m2 row j||^2
local function match(res, m1, m2, gain)
  local n1, n2 = m1:size(1), m2:size(1)
  local a = m1:contiguous():view(n1, -1)
  local b = m2:contiguous():view(n2, -1)
  local dim = a:size(2)
  if b:size(2) ~= dim then
    error("match: m1 and m2 must have the same inner vector dim", 3)
  end
  local diff = a:view(n1, 1, dim):expand(n1, n2, dim) - b:view(1, n2, dim):expand(n1, n2, dim)
  res:resize(n1, n2):copy(diff:cmul(diff):sum(3):mul(gain or 1))
  return res
end

function M:match(m1, m2, gain) return match(self, m1, m2, gain) end
function torch.match(a, b, c, d)
  if isTensor(c) then return match(a, b, c, d) end
  return match(a.new(), a, b, c)
end

-- Torch7 has select as a method only
torch.select = nil

function torch.numel(t) return t:nElement() end
function torch.zero(t) return t:zero() end
function torch.fill(t, v) return t:fill(v) end

local function storage_eq(a, b)
  if rawequal(a, b) then return true end
  if not (isStorage(a) and isStorage(b)) or getmetatable(a) ~= getmetatable(b) then return false end
  local ha, hb = a._h, b._h
  return C.lt_tensor_storage_id(ha) == C.lt_tensor_storage_id(hb)
    and C.lt_tensor_offset(ha) == C.lt_tensor_offset(hb)
    and C.lt_tensor_numel(ha) == C.lt_tensor_numel(hb)
end
-- Storage.lua has already copied its methods into the storage classes: add these too
for _, mt in pairs(core.storage_mt) do
  for _, k in ipairs({ "elementSize", "retain", "free" }) do rawset(mt, k, S[k]) end
  rawset(mt, "__eq", storage_eq)
end

-- Torch7's FFI layer (torch/FFI.lua): torch.data(t | s [, asnumber]), the pointer to the first
-- element, and torch.cdata(t | s [, asnumber]), the pointer to the native object; with asnumber,
-- the address as a number. Valid only while the object lives, as in Torch7.
local function address(p, asnumber)
  if asnumber then return tonumber(ffi.cast("intptr_t", p)) end
  return p
end

function torch.data(obj, asnumber)
  if not (isTensor(obj) or isStorage(obj)) then
    error("torch.data: a Tensor or Storage expected, got " .. torch.type(obj), 2)
  end
  return address(obj:data(), asnumber)
end

function torch.cdata(obj, asnumber)
  if not (isTensor(obj) or isStorage(obj)) then
    error("torch.cdata: a Tensor or Storage expected, got " .. torch.type(obj), 2)
  end
  return address(obj:cdata(), asnumber)
end

return M
