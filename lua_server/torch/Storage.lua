-- The Torch7 storage classes (torch.FloatStorage ...). A storage object holds a 1-D ATen
-- view over the whole underlying storage, so every tensor viewing that storage shares
-- memory with it and torch.pointer(storage) identifies the storage itself.
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local types = require "torch.types"
local core = require "torch.core"

local C = aten.C
local call = aten.call
local run = aten.run
local type, error, select, getmetatable, setmetatable = type, error, select, getmetatable, setmetatable
local S = core.storage_methods

local function info_of(s) return getmetatable(s).__storage_info end

local function element_ptr(s)
  local info = info_of(s)
  if info.device ~= aten.device.cpu or not info.ptr then
    error(info.storage .. " elements cannot be reached from Lua directly", 3)
  end
  return ffi.cast(info.ptr, C.lt_tensor_data(s._h))
end

local function new_storage(info, n)
  local t = core.new(info, { n })
  return core.make(core.storage_mt[info], t._h)
end

local function construct(mt, ...)
  local info = mt.__storage_info
  local first = (select(1, ...))
  if first == nil then return new_storage(info, 0) end
  if type(first) == "number" then return new_storage(info, first) end
  if type(first) == "table" and getmetatable(first) == nil then
    local s = new_storage(info, #first)
    if #first > 0 then
      local t = core.from_flat(info, { #first }, first)
      run("copy_", s._h, t._h, false)
    end
    return s
  end
  if core.isStorage(first) then  -- (storage, offset, size): a view into storage
    local offset, size = select(2, ...)
    offset = offset or 1
    size = size or (first:size() - offset + 1)
    if offset < 1 or offset + size - 1 > first:size() then
      error(string.format("storage view [%d, %d] out of range of a storage of size %d",
        offset, offset + size - 1, first:size()), 3)
    end
    return core.make(core.storage_mt[info], call("narrow", first._h, 0, offset - 1, size))
  end
  error("invalid arguments to " .. info.storage .. ": " .. type(first), 3)
end

for _, info in ipairs(types.list) do
  local mt = torch.newmetatable(info.storage, nil, construct, nil, core.new_class_metatable())
  rawset(mt, "__storage_info", info)
  core.storage_mt[info] = mt
  mt.__index__ = function(self, k)
    if k == "_h" then return self, true end  -- the object is its own ATen handle
    if type(k) == "number" then
      local n = S.size(self)
      if k < 1 or k > n then error("index " .. k .. " out of range of a storage of size " .. n, 2) end
      return info.read(element_ptr(self), k - 1), true
    end
    return nil, false
  end
  mt.__newindex__ = function(self, k, v)
    if type(k) == "number" then
      local n = S.size(self)
      if k < 1 or k > n then error("index " .. k .. " out of range of a storage of size " .. n, 2) end
      element_ptr(self)[k - 1] = v
      return true
    end
    return false
  end
  mt.__len__ = function(self) return S.size(self) end
end

function S:size() return tonumber(C.lt_tensor_size(self._h, 0)) end
function S:elementSize() return ffi.sizeof(info_of(self).ctype) end
function S:data() return element_ptr(self) end
-- Torch7's FFI layer: the C struct behind the storage (here the native handle), valid while it lives
function S:cdata() return ffi.cast("lt_tensor*", self) end  -- valid while the storage lives
function S:fill(v) call("fill_.Scalar", self._h, v); return self end
function S:copy(src)
  if src:size() ~= self:size() then
    error("copy: storage sizes differ (" .. self:size() .. " and " .. src:size() .. ")", 2)
  end
  run("copy_", self._h, src._h, false)
  return self
end
function S:resize(n)
  run("resize_", self._h, { n })
  return self
end
function S:totable()
  local p, out, read = element_ptr(self), {}, info_of(self).read
  for i = 1, S.size(self) do out[i] = read(p, i - 1) end
  return out
end
function S:type(name)
  if name == nil then return info_of(self).storage end
  local info = types.by_storage_name[name]
  if not info then error("unknown storage type " .. tostring(name), 2) end
  local out = new_storage(info, self:size())
  run("copy_", out._h, self._h, false)
  return out
end
-- CharStorage/ByteStorage as bytes: s:string() reads, s:string(str) writes
function S:string(str)
  local p = element_ptr(self)
  if str == nil then return ffi.string(p, S.size(self)) end
  S.resize(self, #str)
  ffi.copy(element_ptr(self), str, #str)
  return self
end
-- __tostring__ (Torch7's exact format) is in TensorPrint.lua

-- install the shared methods into every storage class
for _, mt in pairs(core.storage_mt) do
  for k, v in pairs(S) do rawset(mt, k, v) end
end

return S
