-- Reductions in Torch7's shape: without a dimension they return a Lua number; with a
-- dimension d the result keeps d at size 1, and max/min also return 1-based LongTensor
-- indices. Methods return new results; torch.f(res, x, d) writes into res.
-- sum, prod, mean, std, var, norm, max, min; renorm (in place) and dist.
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"
local A = require "torch.TensorArith"

local call, wrap = aten.call, core.wrap
local run = aten.run
local type, error, tostring, ipairs = type, error, tostring, ipairs
local INT64, FLOAT64 = aten.dtype.int64, aten.dtype.float64
local isTensor = core.isTensor
local M = core.methods

local function check_dim(fname, t, d, level)
  local n = t:dim()
  if type(d) ~= "number" or d < 1 or d > n or d ~= math.floor(d) then
    error(string.format("%s: dimension %s out of range of a %dD tensor", fname, tostring(d), n), level or 4)
  end
  return d - 1
end

local function into(res, h)
  if res == nil then return wrap(h) end
  local r = wrap(h)
  res:resizeAs(r):copy(r)
  return res
end

-- a 0-dim result as a Lua number; the shim's fast paths hand back the number itself
local function number_of(h)
  if type(h) == "number" then return h end
  return aten.call("item", h)
end

-- whole-tensor results accumulate as Torch7's accreal: double for the float types,
-- long for the integer ones; they come back as Lua numbers
local function accreal(t)
  return core.info(t).integer and INT64 or FLOAT64
end

local function as_double(t)
  local h = t._h
  if aten.C.lt_tensor_dtype(h) ~= FLOAT64 then h = call("to.dtype", h, FLOAT64, false, false, nil) end
  return h
end

local function need_float(fname, t)
  if core.info(t).integer then
    error(fname .. ": needs a floating point tensor (Float or Double), got " .. core.info(t).tensor, 4)
  end
end

local function simple(name, empty_value, aten_all, aten_dim)
  local function reduce(self, d, res)
    if d == nil then
      if self:nElement() == 0 then
        if empty_value then return empty_value end
        error(name .. ": empty Tensor", 3)
      end
      return number_of(aten_all(self))
    end
    local dd = check_dim(name, self, d)
    return into(res, aten_dim(self, dd))
  end
  -- x:sum(d) | res:sum(x, d) | torch.sum(x, d) | torch.sum(res, x, d)
  torch[name] = function(a, b, c)
    if isTensor(b) then return reduce(b, c, a) end
    return reduce(a, b)
  end
  M[name] = torch[name]
end

-- with a dimension the result keeps the tensor's type (a ByteTensor sums into bytes)
local sum_out = ffi.new("double[1]")
local function sum_all(t)
  if aten.C.lt_tensor_sum(t._h, accreal(t), sum_out) ~= 0 then error("sum: " .. aten.last_error(), 4) end
  return sum_out[0]
end
simple("sum", 0, sum_all,
  function(t, d) return call("sum.dim_IntList", t._h, { d }, true, core.info(t).dtype) end)
simple("prod", 1, function(t) return call("prod", t._h, accreal(t)) end,
  function(t, d) return call("prod.dim_int", t._h, d, true, core.info(t).dtype) end)
simple("mean", nil, function(t) return call("mean", t._h, FLOAT64) end,
  function(t, d)
    local info = core.info(t)
    if not info.integer then return call("mean.dim", t._h, { d }, true, nil) end
    return call("to.dtype", call("mean.dim", t._h, { d }, true, FLOAT64), info.dtype, false, false, nil)
  end)

-- std/var([dim] [, biased=false]): n-1 in the denominator unless the flag is true
for _, name in ipairs { "std", "var" } do
  local function reduce(res, self, d, biased)
    if type(d) == "boolean" then d, biased = nil, d end
    if d == nil then
      if self:nElement() == 0 then error(name .. ": empty Tensor", 3) end
      return number_of(call(name, as_double(self), not biased))
    end
    local dd = check_dim(name, self, d)
    need_float(name, self)
    return into(res, call(name .. ".dim", self._h, { dd }, not biased, true))
  end
  -- x:std(...) | res:std(x, d [, flag]) | torch.std([res,] x, ...)
  torch[name] = function(a, b, c, e)
    if isTensor(b) then return reduce(a, b, c, e) end
    return reduce(nil, a, b, c)
  end
  M[name] = torch[name]
end

-- norm([p=2]) -> number; norm(p, dim) -> tensor keeping dim
local function norm(res, self, p, d)
  p = p or 2
  if type(p) ~= "number" then core.bad_args("norm", self, p, d) end
  if d == nil then return number_of(call("norm.Scalar", as_double(self), p)) end
  local dd = check_dim("norm", self, d)
  need_float("norm", self)
  return into(res, call("norm.ScalarOpt_dim", self._h, p, { dd }, true))
end
-- x:norm(p, d) | res:norm(x, p, d) | torch.norm([res,] x, p, d)
torch.norm = function(a, b, c, e)
  if isTensor(b) then return norm(a, b, c, e) end
  return norm(nil, a, b, c)
end
M.norm = torch.norm

-- x:renorm(p, dim, maxnorm) in place | res:renorm(src, p, dim, maxnorm): every slice
-- along dim whose p-norm exceeds maxnorm is scaled down to it
function M:renorm(a, ...)
  local b, c, d = select(1, ...)
  local src, p, dim, maxnorm = self, a, b, c
  if isTensor(a) then src, p, dim, maxnorm = a, b, c, d end
  if type(p) ~= "number" or type(maxnorm) ~= "number" then core.bad_args("renorm", self, a, ...) end
  local dd = check_dim("renorm", src, dim, 3)
  if p <= 0 then error("renorm: non-positive-norm not supported", 2) end
  if src:dim() < 2 then
    error("renorm: need at least 2 dimensions, got " .. src:dim() .. " dimensions", 2)
  end
  A.resize_as(self, src)
  run("renorm.out", src._h, p, dd, maxnorm, self._h)
  return self
end
torch.renorm = function(a, b, ...)
  if isTensor(b) then return M.renorm(a, b, ...) end
  return M.renorm(a.new(), a, b, ...)
end

-- dist(a, b [, p=2]): the p-norm of a - b, a number
function M:dist(other, p)
  if not isTensor(other) then core.bad_args("dist", self, other, p) end
  return number_of(call("dist", self._h, A.operand("dist", self, other), p or 2))
end
torch.dist = M.dist

-- max/min: a number, or (values, indices) keeping the dimension
local function extreme(name)
  local function reduce(self, d, resv, resi)
    if d == nil then
      if self:nElement() == 0 then error(name .. ": empty tensor", 3) end
      return number_of(call(name, self._h))
    end
    local dd = check_dim(name, self, d)
    local v, i = call(name .. ".dim", self._h, dd, true)
    i = call("add.Scalar", i, 1, 1)
    return into(resv, v), into(resi, i)
  end
  -- x:max(d) | vals:max(x, d) | vals:max(idx, x, d) | torch.max(x, d) | torch.max(vals, x, d)
  -- | torch.max(vals, idx, x, d)
  torch[name] = function(a, b, c, e)
    if isTensor(b) and isTensor(c) then return reduce(c, e, a, b) end
    if isTensor(b) then return reduce(b, c, a) end
    return reduce(a, b)
  end
  M[name] = torch[name]
end
extreme("max")
extreme("min")

return M
