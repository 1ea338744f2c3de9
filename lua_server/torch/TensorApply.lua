-- t:apply(fn), t:map(src, fn), t:map2(src1, src2, fn): a Lua function called on every
-- element in row-major order, as Torch7's TH_TENSOR_APPLY does; a number it returns is
-- written back to t, nil leaves the element alone. The tensors are walked through their
-- data pointers and strides (each in its own row-major order, paired by position), so
-- no ATen call happens per element. Tensors Lua cannot reach (CUDA, Half) go through a
-- double copy, as cutorch's apply did.
local ffi = require "ffi"
local aten = require "aten"
local core = require "torch.core"

local C = aten.C
local type, error, tonumber, tostring = type, error, tonumber, tostring
local M = core.methods

local function reachable(t)
  local info = core.info(t)
  return info.device == aten.device.cpu and info.ptr ~= nil
end

local function pointer(t)
  return ffi.cast(core.info(t).ptr, C.lt_tensor_data(t._h))
end

-- the number to store for a callback result; nil for "leave it"
local function result_value(fname, v)
  if v == nil then return nil end
  if type(v) == "number" then return v end
  local n = type(v) == "string" and tonumber(v)
  if n then return n end
  error(fname .. ": given function should return a number or nil, got a " .. type(v), 3)
end

-- A walker returns the element offsets of a tensor in row-major order, one a call.
local function walker(t)
  local sizes, strides = core.sizes(t), core.strides(t)
  local nd = #sizes
  if t:isContiguous() then
    local off = -1
    return function() off = off + 1; return off end
  end
  local counter = {}
  for d = 1, nd do counter[d] = 0 end
  local off = 0
  return function()
    local cur = off
    local d = nd
    counter[d] = counter[d] + 1
    off = off + strides[d]
    while d > 1 and counter[d] == sizes[d] do
      off = off - sizes[d] * strides[d]
      counter[d] = 0
      d = d - 1
      counter[d] = counter[d] + 1
      off = off + strides[d]
    end
    return cur
  end
end

local function check_function(fname, fn, argn)
  if type(fn) ~= "function" then
    error(fname .. ": expected a function as argument " .. argn .. ", got " .. type(fn), 3)
  end
end

local function check_source(fname, self, src, argn)
  if not core.isTensor(src) then
    error(fname .. ": expected a tensor as argument " .. argn .. ", got " .. type(src), 3)
  end
  if src:nElement() ~= self:nElement() then
    error(string.format("%s: inconsistent tensor size, expected tensor [%s] and src [%s] to have "
      .. "the same number of elements, but got %d and %d elements respectively", fname,
      core.size_string(self), core.size_string(src), self:nElement(), src:nElement()), 3)
  end
  -- other types are read through a copy of this tensor's type (Torch7 wanted one type)
  if core.info(src) ~= core.info(self) or not reachable(src) then
    return src:type(reachable(self) and self:type() or "torch.DoubleTensor")
  end
  return src
end

-- run `body(self_reachable, ...)` on a double copy when self cannot be reached, then copy back
local function via_copy(self, body, ...)
  local d = self:double()
  body(d, ...)
  self:copy(d)
  return self
end

function M:apply(fn)
  check_function("apply", fn, 1)
  if self:nElement() == 0 then return self end
  if not reachable(self) then return via_copy(self, M.apply, fn) end
  local p, read = pointer(self), core.info(self).read
  local sizes, strides = core.sizes(self), core.strides(self)
  local nd = #sizes
  local inner, step = sizes[nd], strides[nd]
  -- nested loops over the outer dimensions, a tight loop over the last one
  local counter, off = {}, 0
  for d = 1, nd do counter[d] = 0 end
  while true do
    local o = off
    for _ = 1, inner do
      local v = result_value("apply", fn(read(p, o)))
      if v then p[o] = v end
      o = o + step
    end
    local d = nd - 1
    while d >= 1 do
      counter[d] = counter[d] + 1
      off = off + strides[d]
      if counter[d] < sizes[d] then break end
      off = off - sizes[d] * strides[d]
      counter[d] = 0
      d = d - 1
    end
    if d < 1 then break end
  end
  return self
end

function M:map(src, fn)
  check_function("map", fn, 2)
  src = check_source("map", self, src, 1)
  if self:nElement() == 0 then return self end
  if not reachable(self) then return via_copy(self, M.map, src, fn) end
  local p, q = pointer(self), pointer(src)
  local read, readq = core.info(self).read, core.info(src).read
  local wp, wq = walker(self), walker(src)
  for _ = 1, self:nElement() do
    local i, j = wp(), wq()
    local v = result_value("map", fn(read(p, i), readq(q, j)))
    if v then p[i] = v end
  end
  return self
end

function M:map2(src1, src2, fn)
  check_function("map2", fn, 3)
  src1 = check_source("map2", self, src1, 1)
  src2 = check_source("map2", self, src2, 2)
  if self:nElement() == 0 then return self end
  if not reachable(self) then return via_copy(self, M.map2, src1, src2, fn) end
  local p, q, r = pointer(self), pointer(src1), pointer(src2)
  local read, readq, readr = core.info(self).read, core.info(src1).read, core.info(src2).read
  local wp, wq, wr = walker(self), walker(src1), walker(src2)
  for _ = 1, self:nElement() do
    local i, j, k = wp(), wq(), wr()
    local v = result_value("map2", fn(read(p, i), readq(q, j), readr(r, k)))
    if v then p[i] = v end
  end
  return self
end

return M
