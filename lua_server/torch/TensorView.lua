-- Views that share storage, with Torch7's 1-based dimensions and indices:
-- narrow, select, sub, transpose, t, permute, view, viewAs, expand, expandAs,
-- squeeze, unsqueeze, unfold. reshape copies, as in Torch7.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local C = aten.C
local call, wrap = aten.call, core.wrap
local type, error, select = type, error, select
local isTensor = core.isTensor
local M = core.methods

local function dim_arg(fname, t, d, extra)
  local n = t:dim() + (extra or 0)
  if type(d) ~= "number" or d < 1 or d > n or d ~= math.floor(d) then
    error(string.format("%s: dimension %s out of range of a %dD tensor", fname, tostring(d), t:dim()), 3)
  end
  return d - 1
end

function M:narrow(d, index, size)
  local dd = dim_arg("narrow", self, d)
  local n = self:size(d)
  if type(index) ~= "number" or type(size) ~= "number" or index < 1 or size < 0 or index + size - 1 > n then
    error(string.format("narrow: range [%s, %s] out of range for dimension %d of size %d",
      tostring(index), tostring(type(index) == "number" and type(size) == "number" and index + size - 1 or size), d, n), 2)
  end
  return wrap(call("narrow", self._h, dd, index - 1, size))
end

function M:select(d, index)
  local dd = dim_arg("select", self, d)
  local n = self:size(d)
  if type(index) ~= "number" or index < 1 or index > n then
    error(string.format("select: index %s out of range for dimension %d of size %d", tostring(index), d, n), 2)
  end
  local h = self._h
  if C.lt_tensor_dim(h) == 1 then  -- Torch7: selecting from a 1-D tensor gives the number
    local info = core.info(self)
    if info.read and info.device == aten.device.cpu then
      return info.read(C.lt_tensor_data(h), (index - 1) * C.lt_tensor_stride(h, 0))
    end
    return core.scalar_of(call("select.int", h, dd, index - 1), info)
  end
  return wrap(call("select.int", h, dd, index - 1))
end

-- sub(s1, e1 [, s2, e2 ...]): inclusive ranges per dimension, negatives from the end
function M:sub(...)
  local args = { ... }
  local h = self._h
  for i = 1, #args, 2 do
    local d = (i + 1) / 2
    local n = self:size(d)
    local s, e = args[i], args[i + 1] or n
    if s < 0 then s = n + s + 1 end
    if e < 0 then e = n + e + 1 end
    if s < 1 or e > n or e < s then
      error(string.format("sub: range [%d, %d] out of range for dimension %d of size %d", args[i], args[i + 1] or n, d, n), 2)
    end
    h = call("narrow", h, d - 1, s - 1, e - s + 1)
  end
  return wrap(h)
end

function M:transpose(d1, d2)
  local a, b = dim_arg("transpose", self, d1), dim_arg("transpose", self, d2)
  return wrap(call("transpose.int", self._h, a, b))
end

function M:permute(...)
  local dims = { ... }
  if #dims ~= self:dim() then
    error("permute: needs " .. self:dim() .. " dimensions, got " .. #dims, 2)
  end
  for i = 1, #dims do dims[i] = dim_arg("permute", self, dims[i]) end
  return wrap(call("permute", self._h, dims))
end

-- the sizes of a view: numbers or a LongStorage
local function size_list(fname, ...)
  return (core.size_args(fname, ...))
end

-- view([res,] sizes | -1): the source must be contiguous
function M:view(...)
  local first = ...
  local src = self
  if isTensor(first) then  -- res:view(src, sizes)
    local r = wrap(call("view", first:contiguous_or_error("view")._h, size_list("view", select(2, ...))))
    return self:set(r)
  end
  local sizes = size_list("view", ...)
  local total, infer = 1, nil
  for i = 1, #sizes do
    if sizes[i] == -1 then infer = i else total = total * sizes[i] end
  end
  local n = src:nElement()
  if (infer == nil and total ~= n) or (infer ~= nil and (total == 0 or n % total ~= 0)) then
    error(string.format("view: size %s is invalid for a tensor of %d elements", table.concat(sizes, "x"), n), 2)
  end
  return wrap(call("view", src:contiguous_or_error("view")._h, sizes))
end

function M:contiguous_or_error(fname)
  if not self:isContiguous() and self:nElement() > 1 then
    error(fname .. ": the tensor must be contiguous (call :contiguous() first)", 3)
  end
  return self
end

function M:viewAs(other) return self:view(other:size()) end

function M:reshape(...)
  local sizes = size_list("reshape", ...)
  return wrap(call("clone", call("reshape", self._h, sizes), 0))
end
torch.reshape = function(t, ...) return t:reshape(...) end

function M:expand(...)
  local sizes = size_list("expand", ...)
  if #sizes < self:dim() then
    error("expand: the number of sizes (" .. #sizes .. ") must be at least the tensor's " ..
      "dimension (" .. self:dim() .. ")", 2)
  end
  for i = 1, self:dim() do
    local from = self:size(self:dim() - i + 1)
    local to = sizes[#sizes - i + 1]
    if from ~= 1 and from ~= to then
      error(string.format("expand: cannot expand size %s to %s: only singleton dimensions expand",
        core.size_string(self), table.concat(sizes, "x")), 2)
    end
  end
  return wrap(call("expand", self._h, sizes, false))
end

function M:expandAs(other) return self:expand(other:size()) end

-- x:squeeze([d]) -> a view (res:squeeze(x [,d]) points res at it). As in Torch7 the
-- result is the Lua number itself when it is a one-element 1-D tensor (for squeeze(d),
-- only when x itself was 1-D).
function M:squeeze(a, b)
  local res, src, d = nil, self, a
  if isTensor(a) then res, src, d = self, a, b end
  local h
  if d == nil then
    h = call("squeeze", src._h)
  else
    h = call("squeeze.dim", src._h, dim_arg("squeeze", src, d))
  end
  -- Torch7 has no 0-dim tensors: a fully squeezed one-element tensor stays 1-D
  if aten.C.lt_tensor_dim(h) == 0 then h = call("reshape", h, { 1 }) end
  local r = res and res:set(wrap(h)) or wrap(h)
  if aten.C.lt_tensor_dim(h) == 1 and aten.C.lt_tensor_numel(h) == 1
      and (d == nil or src:dim() == 1) then
    return core.scalar_of(h, core.info(r))
  end
  return r
end

function M:unsqueeze(d)
  return wrap(call("unsqueeze", self._h, dim_arg("unsqueeze", self, d, 1)))
end

function M:unfold(d, size, step)
  return wrap(call("unfold", self._h, dim_arg("unfold", self, d), size, step))
end

for _, name in ipairs { "narrow", "select", "sub", "transpose", "t", "permute", "view",
  "viewAs", "expand", "expandAs", "squeeze", "unsqueeze", "unfold" } do
  if not torch[name] then
    torch[name] = function(t, ...) return M[name](t, ...) end
  end
end

return M
