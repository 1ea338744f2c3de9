-- Pointwise, fused and comparison math in Torch7's calling forms (see TensorArith.lua):
--   x:f(v)            x = f(x, v)           res:f(a, v)      res = f(a, v)
--   torch.f(a, v)     a new tensor          torch.f(res, a, v)
-- fmod/remainder/clamp/cmax/cmin/atan2/lerp/addcmul/addcdiv/round; comparisons returning
-- ByteTensors (or 0/1 in res's own type); all/any/equal; cross and trace; and the
-- number forms of the float functions (torch.exp(1) is a Lua number).
-- No broadcasting: tensor operands pair up by element count (A.operand).
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"
local types = require "torch.types"
local A = require "torch.TensorArith"

local call = aten.call
local run = aten.run
local type, error, select, tostring, pairs = type, error, select, tostring, pairs
local isTensor = core.isTensor
local M = core.methods

local function need_tensor(fname, v, what)
  if not isTensor(v) then
    error(string.format("%s: %s must be a tensor, got %s", fname, what, torch.type(v)), 3)
  end
end

local function need_number(fname, v, what)
  if type(v) ~= "number" then
    error(string.format("%s: %s must be a number, got %s", fname, what, torch.type(v)), 3)
  end
end

-- torch.f(a, ...) makes a new result like a; torch.f(res, a, ...) when a is a tensor too
local function functional(name)
  torch[name] = function(first, second, ...)
    if isTensor(second) then return M[name](first, second, ...) end
    if not isTensor(first) then core.bad_args("torch." .. name, first, second, ...) end
    return M[name](first.new(), first, second, ...)
  end
end

---------------------------------------------------------------------------- with values

-- x:f(v [, w]) | res:f(a, v [, w]); values are cast to the element type as C does
local function value_op(name, nvals, run)
  M[name] = function(self, a, b, c)
    local src, v, w = self, a, b
    if isTensor(a) then src, v, w = a, b, c end
    need_number(name, v, "the value")
    if nvals == 2 then need_number(name, w, "the second value") end
    A.resize_as(self, src)
    run(self._h, src._h, A.scalar_for(self, v), A.scalar_for(self, w))
    return self
  end
  functional(name)
end

value_op("fmod", 1, function(out, src, v) run("fmod.Scalar_out", src, v, out) end)
value_op("remainder", 1, function(out, src, v) run("remainder.Scalar_out", src, v, out) end)
value_op("clamp", 2, function(out, src, lo, hi) run("clamp.out", src, lo, hi, out) end)
M.mod = M.fmod
torch.mod = torch.fmod

---------------------------------------------------------------------------- tensor pairs

-- x:f(y) | res:f(a, b); `value` handles a number second operand (cmax(v) and the like)
local function pair_op(name, run, value)
  M[name] = function(self, a, b)
    local x, y = self, a
    if b ~= nil then x, y = a, b end
    need_tensor(name, x, "the first operand")
    if type(y) == "number" and value then
      A.resize_as(self, x)
      value(self._h, x._h, A.scalar_for(self, y))
      return self
    end
    need_tensor(name, y, "the second operand")
    local yh = A.operand(name, x, y)
    A.resize_as(self, x)
    run(self._h, x._h, yh)
    return self
  end
  torch[name] = function(a, b, c)
    if c ~= nil then return M[name](a, b, c) end
    if not isTensor(a) then core.bad_args("torch." .. name, a, b) end
    return M[name](a.new(), a, b)
  end
end

-- cmax/cmin as TH's THMax/THMin: x > y ? x : y (x < y ? x : y), so a NaN in x gives y
pair_op("cmax", function(out, x, y) run("where.self_out", call("gt.Tensor", x, y), x, y, out) end,
  function(out, x, v) run("copy_", out, call("where.ScalarOther", call("gt.Scalar", x, v), x, v), false) end)
pair_op("cmin", function(out, x, y) run("where.self_out", call("lt.Tensor", x, y), x, y, out) end,
  function(out, x, v) run("copy_", out, call("where.ScalarOther", call("lt.Scalar", x, v), x, v), false) end)
pair_op("atan2", function(out, x, y) call("atan2.out", x, y, out) end)
pair_op("cfmod", function(out, x, y) run("fmod.Tensor_out", x, y, out) end)
pair_op("cremainder", function(out, x, y) run("remainder.Tensor_out", x, y, out) end)
M.cmod = M.cfmod
torch.cmod = torch.cfmod

-- x:lerp(b, w) | res:lerp(a, b, w): a + w*(b - a), evaluated in that order as TH_lerp does
function M:lerp(a, b, w)
  local x, y, weight = self, a, b
  if isTensor(b) then x, y, weight = a, b, w end
  need_tensor("lerp", x, "the start")
  need_tensor("lerp", y, "the end")
  need_number("lerp", weight, "the weight")
  local yh = A.operand("lerp", x, y)
  local diff = call("sub.Tensor", yh, x._h, 1)
  run("mul_.Scalar", diff, weight)
  A.resize_as(self, x)
  run("add.out", x._h, diff, 1, self._h)
  aten.free(diff)
  return self
end
torch.lerp = function(a, b, c, d)
  if type(a) == "number" then return a + c * (b - a) end  -- TH_lerp on numbers
  if d ~= nil then return M.lerp(a, b, c, d) end
  if not isTensor(a) then core.bad_args("torch.lerp", a, b, c) end
  return M.lerp(a.new(), a, b, c)
end

-- x:addcmul([src,] [v,] t1, t2): self = src + v * t1 .* t2 (src defaults to self)
local function fused(name, aten_out)
  M[name] = function(self, ...)
    local n = select("#", ...)
    local t1, t2 = select(n - 1, ...)
    local src, v = self, 1
    if n == 3 then
      local a = (select(1, ...))
      if isTensor(a) then src = a else v = a end
    elseif n == 4 then
      src, v = select(1, ...)
    elseif n ~= 2 then
      core.bad_args(name, self, ...)
    end
    need_tensor(name, src, "the source")
    need_number(name, v, "the value")
    need_tensor(name, t1, "tensor1")
    need_tensor(name, t2, "tensor2")
    local h1, h2 = A.operand(name, src, t1), A.operand(name, src, t2)
    A.resize_as(self, src)
    v = A.scalar_for(self, v)
    if name == "addcdiv" and core.info(self).integer then
      -- ATen refuses integer addcdiv; Torch7 computes src + (v*t1)/t2 with C's division
      local q = call("div.Tensor_mode", call("mul.Scalar", h1, v), h2, "trunc")
      run("add.out", src._h, q, 1, self._h)
      aten.free(q)
    else
      run(aten_out, src._h, h1, h2, v, self._h)
    end
    return self
  end
  -- torch.addcmul([res,] src, [v,] t1, t2): four tensors mean a result comes first
  torch[name] = function(...)
    local ntensors = 0
    for i = 1, select("#", ...) do
      if isTensor((select(i, ...))) then ntensors = ntensors + 1 end
    end
    local first = (select(1, ...))
    if not isTensor(first) then core.bad_args("torch." .. name, ...) end
    if ntensors >= 4 then return M[name](...) end
    return M[name](first.new(), ...)
  end
end
fused("addcmul", "addcmul.out")
fused("addcdiv", "addcdiv.out")

---------------------------------------------------------------------------- round

-- C's round(): halves go away from zero (ATen's round goes to even). trunc(x) plus one
-- step of sign(x) where the dropped fraction is at least one half; exact in binary.
local function c_round(out, src, info)
  if info.integer then
    if out ~= src then run("copy_", out, src, false) end
    return
  end
  local t = call("trunc", src)
  local frac = call("sub.Tensor", src, t, 1)
  local step = call("sign", frac)
  local big = call("ge.Scalar", call("abs", frac), 0.5)
  run("mul_.Tensor", step, big)
  run("add.out", t, step, 1, out)
  aten.free(t); aten.free(frac); aten.free(step); aten.free(big)
end

function M:round(src)
  src = src or self
  need_tensor("round", src, "the source")
  A.resize_as(self, src)
  c_round(self._h, src._h, core.info(self))
  return self
end
torch.round = function(a, b)
  if b ~= nil then return M.round(a, b) end
  if type(a) == "number" then  -- the number form, as C's round()
    local t = a >= 0 and math.floor(a) or math.ceil(a)
    if math.abs(a - t) >= 0.5 then t = t + (a >= 0 and 1 or -1) end
    return t
  end
  need_tensor("torch.round", a, "the source")
  return M.round(a.new(), a)
end

---------------------------------------------------------------------------- comparisons

local function byte_result(t)
  local name = core.info(t).device == aten.device.cuda and "torch.CudaByteTensor" or "torch.ByteTensor"
  return core.new(types.by_tensor_name[name], { 0 })
end

-- x:gt(v|y) -> new ByteTensor; res:gt(a, v|b) -> res (a ByteTensor, or a's type holding 0/1)
for _, name in ipairs { "lt", "le", "gt", "ge", "eq", "ne" } do
  local scalar_out, tensor_out = name .. ".Scalar_out", name .. ".Tensor_out"
  local function compare(res, a, b)
    need_tensor(name, a, "the first operand")
    if isTensor(b) then
      local bh = A.operand(name, a, b)
      A.resize_as(res, a)
      run(tensor_out, a._h, bh, res._h)
    elseif type(b) == "number" then
      A.resize_as(res, a)
      run(scalar_out, a._h, A.scalar_for(a, b), res._h)
    else
      core.bad_args(name, res, a, b)
    end
    return res
  end
  M[name] = function(self, a, b)
    if b == nil then return compare(byte_result(self), self, a) end
    return compare(self, a, b)
  end
  torch[name] = function(a, b, c)
    if c ~= nil then return M[name](a, b, c) end
    return M[name](a, b)
  end
end

local function truth(v) return v == true or (v ~= false and v ~= 0) end

-- all/any of a (Byte)Tensor: a Lua boolean
for _, name in ipairs { "all", "any" } do
  M[name] = function(self)
    need_tensor(name, self, "the tensor")
    if self:nElement() == 0 then error(name .. ": empty Tensor", 2) end
    return truth(call("item", call(name, self._h)))
  end
  torch[name] = M[name]
end

-- same size and equal elements
function M:equal(other)
  need_tensor("equal", self, "the first tensor")
  need_tensor("equal", other, "the second tensor")
  if self:dim() ~= other:dim() then return false end
  if self:nElement() == 0 then return true end
  if not self:isSameSizeAs(other) then return false end
  return call("equal", self._h, other._h)
end
torch.equal = M.equal

---------------------------------------------------------------------------- cross / trace

-- x:cross(y [,dim]) -> new; res:cross(a, b [,dim]). Without dim: the first of size 3.
function M:cross(a, b, d)
  local res, x, y, dim = self, a, b, d
  if not isTensor(b) then res, x, y, dim = self.new(), self, a, b end
  need_tensor("cross", x, "the first operand")
  need_tensor("cross", y, "the second operand")
  if x:dim() ~= y:dim() then
    error(string.format("cross: inconsistent tensor dimension %dD, %dD", x:dim(), y:dim()), 2)
  end
  if not x:isSameSizeAs(y) then
    error(string.format("cross: inconsistent tensor sizes %s, %s", core.size_string(x), core.size_string(y)), 2)
  end
  if dim == nil then
    for i = 1, x:dim() do
      if x:size(i) == 3 then dim = i; break end
    end
    if dim == nil then error("cross: no dimension of size 3 in a: " .. core.size_string(x), 2) end
  end
  if type(dim) ~= "number" or dim < 1 or dim > x:dim() then
    error(string.format("cross: dimension %s out of range of a %dD tensor", tostring(dim), x:dim()), 2)
  end
  if x:size(dim) ~= 3 then error("cross: dimension " .. dim .. " does not have size 3", 2) end
  A.resize_as(res, x)
  run("linalg_cross.out", x._h, y._h, dim - 1, res._h)
  return res
end
torch.cross = M.cross

function M:trace()
  need_tensor("trace", self, "the tensor")
  if self:dim() ~= 2 then error("trace: expected a matrix, got a " .. self:dim() .. "D tensor", 2) end
  return call("item", call("trace", self._h))
end
torch.trace = M.trace

---------------------------------------------------------------------------- number forms

-- Torch7's float functions also take plain numbers: torch.exp(1), torch.pow(2, 3),
-- torch.atan2(1, 1) return Lua numbers (C's math on doubles).
pcall(ffi.cdef, [[
double log1p(double x);
double trunc(double x);
double atan2(double y, double x);
]])
local libm = ffi.C
local exp, sqrt, floor = math.exp, math.sqrt, math.floor
local number_forms = {
  log = math.log, exp = exp, cos = math.cos, acos = math.acos, cosh = math.cosh,
  sin = math.sin, asin = math.asin, sinh = math.sinh, tan = math.tan, atan = math.atan,
  tanh = math.tanh, sqrt = sqrt, ceil = math.ceil, floor = floor, abs = math.abs,
  log1p = function(x) return libm.log1p(x) end,
  trunc = function(x) return libm.trunc(x) end,
  frac = function(x) return x - libm.trunc(x) end,
  rsqrt = function(x) return 1 / sqrt(x) end,
  sigmoid = function(x) return 1 / (1 + exp(-x)) end,
  atan2 = function(y, x) return libm.atan2(y, x) end,
  pow = function(x, y) return x ^ y end,
}
for name, f in pairs(number_forms) do
  local tensor_form = torch[name]
  torch[name] = function(a, ...)
    if type(a) == "number" and type((select(1, ...))) ~= "userdata" then return f(a, ...) end
    return tensor_form(a, ...)
  end
end

return M
