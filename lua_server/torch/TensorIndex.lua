-- Torch7 indexing: t[i] (a number on 1-D tensors, a view otherwise), t[{...}] slicing
-- (numbers select, {a,b} narrows inclusively, {a} keeps a size-1 dimension, {} keeps
-- all, negatives count from the end), t[LongStorage] elements, t[ByteTensor] masks;
-- and the assignments t[...] = number | tensor.
local ffi = require "ffi"
local aten = require "aten"
local core = require "torch.core"

local C = aten.C
local call, wrap = aten.call, core.wrap
local run = aten.run
local type, error, tostring, rawset, tonumber = type, error, tostring, rawset, tonumber
local isTensor, isStorage = core.isTensor, core.isStorage
local M = core.methods

local function bound(i, n, dim)
  if type(i) ~= "number" then error("index for dimension " .. dim .. " must be a number, got " .. type(i), 4) end
  local key = i
  if i < 0 then i = n + i + 1 end
  if i < 1 or i > n or i ~= math.floor(i) then  -- Torch7's text first, then which index
    error(string.format("bad argument #2 to '__index' (out of range: index %s for dimension %d of size %d)",
      tostring(key), dim, n), 4)
  end
  return i
end

-- value of a 0-dim (or 1-element) handle
local function scalar_of(h, info)
  if info.device == aten.device.cpu and info.ptr then
    return info.read(C.lt_tensor_data(h), 0)
  end
  return call("item", h)
end

local function write_scalar(h, info, v)
  if info.device == aten.device.cpu and info.ptr then
    ffi.cast(info.ptr, C.lt_tensor_data(h))[0] = v
  else
    run("fill_.Scalar", h, v)
  end
end

-- Resolve an index key to (handle of the view, is_element).
local function resolve(self, key)
  local h = self._h
  local ndim = C.lt_tensor_dim(h)
  if type(key) == "number" then
    if ndim == 0 then error("cannot index an empty tensor", 3) end
    local i = bound(key, tonumber(C.lt_tensor_size(h, 0)), 1)
    return aten.own(C.lt_tensor_select(h, 0, i - 1)), ndim == 1
  end
  if isStorage(key) then  -- t[LongStorage]: one element
    local idx = key:totable()
    if #idx ~= ndim then error("t[LongStorage] needs " .. ndim .. " indices, got " .. #idx, 3) end
    local v = h
    for d = 1, #idx do
      v = call("select.int", v, 0, bound(idx[d], tonumber(C.lt_tensor_size(v, 0)), d) - 1)
    end
    return v, true
  end
  if type(key) ~= "table" then error("invalid tensor index of type " .. type(key), 3) end
  if #key > ndim then
    error(string.format("too many indices (%d) for a %dD tensor", #key, ndim), 3)
  end
  local v, d, selected = h, 0, 0
  for k = 1, #key do
    local e = key[k]
    local size = tonumber(C.lt_tensor_size(v, d))
    if type(e) == "number" then
      v = call("select.int", v, d, bound(e, size, k) - 1)
      selected = selected + 1
    elseif type(e) == "table" then
      local a, b = e[1], e[2]
      if a == nil then a, b = 1, size end
      if b == nil then b = a end
      a, b = bound(a, size, k), bound(b, size, k)
      if b < a then error(string.format("empty range {%d, %d} for dimension %d", a, b, k), 3) end
      v = call("narrow", v, d, a - 1, b - a + 1)
      d = d + 1
    else
      error("index " .. k .. " must be a number or a table, got " .. type(e), 3)
    end
  end
  return v, selected == ndim
end

-- bound() called one frame deeper, so its error names the same caller as through resolve()
local function bound_at_top(i, n, dim)
  return bound(i, n, dim)
end

local CPU = aten.device.cpu

local function index_for(methods) return function(self, key)
  if key == "_h" then return self end  -- the object is its own ATen handle
  local m = methods[key]
  if m ~= nil then return m end
  local tk = type(key)
  if tk == "string" then return nil end
  if tk == "number" then
    -- fast path: an element of a 1-D CPU tensor straight from memory, no view made
    local h = self
    local ndim = C.lt_tensor_dim(h)
    if ndim == 1 then
      local info = core.info(self)
      if info.ptr and info.device == CPU then
        local i = bound(key, tonumber(C.lt_tensor_size(h, 0)), 1)
        return info.read(C.lt_tensor_data(h), (i - 1) * C.lt_tensor_stride(h, 0))
      end
    elseif ndim > 1 then  -- t[i] of a matrix: the row view, built in the shim
      local i = bound_at_top(key, tonumber(C.lt_tensor_size(h, 0)), 1)
      local r = core.new_object(getmetatable(self))
      if C.lt_small_select(r, h, 0, i - 1) == 1 then return r end
    end
  end
  if tk == "userdata" and isTensor(key) then return self:maskedSelect(key) end
  local v, is_element = resolve(self, key)
  if is_element then return scalar_of(v, core.info(self)) end
  return core.make(getmetatable(self), v, true)  -- a view of self, of self's type
end end

local function newindex(self, key, value)
  if type(value) == "string" then value = tonumber(value) or value end
  if type(key) == "string" then
    error("cannot set field '" .. key .. "' of a " .. core.info(self).tensor, 2)
  end
  if isTensor(key) then
    if isTensor(value) then self:maskedCopy(key, value) else self:maskedFill(key, value) end
    return
  end
  -- fast path: t[i] = number on a 1-D CPU tensor, straight into memory
  if type(key) == "number" and type(value) == "number" and C.lt_tensor_dim(self) == 1 then
    local info = core.info(self)
    if info.ptr and info.device == CPU then
      local i = bound_at_top(key, tonumber(C.lt_tensor_size(self, 0)), 1)
      ffi.cast(info.ptr, C.lt_tensor_data(self))[(i - 1) * C.lt_tensor_stride(self, 0)] = value
      return
    end
  end
  local v, is_element = resolve(self, key)
  if is_element and type(value) == "number" then
    write_scalar(v, core.info(self), value)
  elseif type(value) == "number" then
    run("fill_.Scalar", v, value)
  elseif isTensor(value) then
    wrap(v):copy(value)
  else
    error("cannot assign a " .. type(value) .. " into a tensor", 2)
  end
end

for _, mt in pairs(core.tensor_mt) do
  rawset(mt, "__index", index_for(mt))
  rawset(mt, "__newindex", newindex)
end

core.scalar_of = scalar_of
return M
