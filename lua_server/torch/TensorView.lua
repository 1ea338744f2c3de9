-- Views that share storage, with Torch7's 1-based dimensions and indices:
-- narrow, select, sub, transpose, t, permute, view, viewAs, expand, expandAs,
-- squeeze, unsqueeze, unfold. reshape copies, as in Torch7.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local C = aten.C
local call, wrap, view_of = aten.call, core.wrap, core.view_of
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
  local r = core.fresh(self)
  if C.lt_small_narrow(r, self, dd, index - 1, size) == 1 then return r end
  return core.view_as(self, C.lt_tensor_narrow(self._h, dd, index - 1, size))
end

function M:select(d, index)
  -- Torch7 reads a 1-D tensor's element without looking at the dimension argument, and
  -- Torch7 code relies on it (t:select(other, i):select(dim, j) for either dim)
  if type(d) == "number" and self:dim() == 1 then d = 1 end
  local dd = dim_arg("select", self, d)
  local n = self:size(d)
  if type(index) ~= "number" or index < 1 or index > n then
    error(string.format("bad argument #1 to 'select' (out of range: index %s for dimension %d of size %d)",
      tostring(index), d, n), 2)
  end
  local h = self._h
  if C.lt_tensor_dim(h) == 1 then  -- Torch7: selecting from a 1-D tensor gives the number
    local info = core.info(self)
    if info.read and info.device == aten.device.cpu then
      return info.read(C.lt_tensor_data(h), (index - 1) * C.lt_tensor_stride(h, 0))
    end
    return core.scalar_of(call("select.int", h, dd, index - 1), info)
  end
  local r = core.fresh(self)
  if C.lt_small_select(r, self, dd, index - 1) == 1 then return r end
  return core.view_as(self, C.lt_tensor_select(h, dd, index - 1))
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
  return view_of(self, h)
end

function M:transpose(d1, d2)
  local a, b = dim_arg("transpose", self, d1), dim_arg("transpose", self, d2)
  return view_of(self, call("transpose.int", self._h, a, b))
end

function M:permute(...)
  local dims = { ... }
  if #dims ~= self:dim() then
    error("permute: needs " .. self:dim() .. " dimensions, got " .. #dims, 2)
  end
  for i = 1, #dims do dims[i] = dim_arg("permute", self, dims[i]) end
  return view_of(self, call("permute", self._h, dims))
end

-- the sizes of a view: numbers or a LongStorage
local function size_list(fname, ...)
  return (core.size_args(fname, ...))
end

-- Torch7's view family (Tensor.lua): each has a plain form, x:f(sizes) -> a new tensor,
-- and a result form, res:f(x, sizes) / torch.f(res, x, sizes), that points res at the
-- result and returns res. Sizes are numbers or a LongStorage; view takes one -1.

-- (result or nil for the plain form, source, sizes) of a view-family call
local function result_form(fname, self, a, ...)
  if isTensor(a) then return self, a, size_list(fname, ...) end
  return nil, self, size_list(fname, a, ...)
end

-- the view handle h as a new tensor, or res pointed at it (res must be src's type)
local function deliver(res, src, h)
  if res == nil then return view_of(src, h) end
  if core.info(res) ~= core.info(src) then
    local name = core.info(res).tensor
    error("bad argument #1 to 'set' (expecting number or " .. name .. " or " ..
      name:gsub("Tensor$", "Storage") .. ")", 3)
  end
  return res:set(wrap(h))
end

function M:view(a, ...)
  local res, src, sizes = result_form("view", self, a, ...)
  local n = src:nElement()
  local infer, known = nil, 1
  for i = 1, #sizes do
    if sizes[i] == -1 and not infer then infer = i else known = known * sizes[i] end
  end
  if infer then sizes[infer] = known ~= 0 and math.floor(n / known) or 0 end
  if not src:isContiguous() then error("expecting a contiguous tensor", 2) end
  local count = 1
  for i = 1, #sizes do count = count * sizes[i] end
  if count ~= n or #sizes == 0 then
    error(string.format("Wrong size for view. Input size: %s. Output size: %s",
      table.concat(src:dim() > 0 and core.sizes(src) or {}, "x"), table.concat(sizes, "x")), 2)
  end
  return deliver(res, src, call("view", src._h, sizes))
end

-- viewAs([res,] x, template)
function M:viewAs(a, b)
  if b ~= nil then return M.view(self, a, b:size()) end
  return M.view(self, a:size())
end

function M:expand(a, ...)
  local res, src, sizes = result_form("expand", self, a, ...)
  if #sizes ~= src:dim() then
    error("the number of dimensions provided must equal tensor:dim()", 2)
  end
  local shape = core.sizes(src)
  for i = 1, #sizes do
    if shape[i] ~= 1 and shape[i] ~= sizes[i] then
      error("incorrect size: only supporting singleton expansion (size=1)", 2)
    end
  end
  -- ATen's expand gives the expanded dimensions stride 0, as Torch7
  return deliver(res, src, call("expand", src._h, sizes, false))
end

-- expandAs([res,] x, template)
function M:expandAs(a, b)
  if b ~= nil then return M.expand(self, a, b:size()) end
  return M.expand(self, a:size())
end

-- reshape([res,] x, sizes): a copy of x's elements, in x's row-major order, in res
function M:reshape(a, ...)
  local res, src, sizes = result_form("reshape", self, a, ...)
  res = res or src.new()
  local count = 1
  for i = 1, #sizes do count = count * sizes[i] end
  if count ~= src:nElement() then
    error(string.format("inconsistent tensor size, expected tensor [%s] and src [%s] to have the " ..
      "same number of elements, but got %d and %d elements respectively", table.concat(sizes, " x "),
      table.concat(src:dim() > 0 and core.sizes(src) or { 0 }, " x "), count, src:nElement()), 2)
  end
  res:resize(torch.LongStorage(sizes))
  if count > 0 then aten.run("copy_", res._h, call("reshape", src._h, sizes), false) end
  return res
end

for _, name in ipairs({ "view", "viewAs", "expand", "expandAs", "reshape" }) do
  torch[name] = M[name]
end

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
  return view_of(self, call("unsqueeze", self._h, dim_arg("unsqueeze", self, d, 1)))
end

function M:unfold(d, size, step)
  return view_of(self, call("unfold", self._h, dim_arg("unfold", self, d), size, step))
end

for _, name in ipairs { "narrow", "select", "sub", "transpose", "t", "permute", "view",
  "viewAs", "expand", "expandAs", "squeeze", "unsqueeze", "unfold" } do
  if not torch[name] then
    torch[name] = function(t, ...) return M[name](t, ...) end
  end
end

return M
