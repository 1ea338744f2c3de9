-- Torch7's calling conventions for pointwise math, in one binding layer:
--   x:f()            x = f(x)          (in place)
--   x:f(y)           x = f(y)          (self is the destination, resized)
--   torch.f(y)       a new tensor
--   torch.f(res, y)  res = f(y)
-- and Torch7's rule for two tensors: no broadcasting; element counts must match and
-- the result takes the first operand's shape.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local C = aten.C
local call, wrap = aten.call, core.wrap
local run = aten.run
local type, error, select = type, error, select
local isTensor = core.isTensor
local M = core.methods
local A = {}  -- helpers shared with the other math files

-- b's handle in a's shape, or an error naming both sizes
function A.operand(fname, a, b)
  local ah, bh = a._h, b._h
  local na, nb = C.lt_tensor_numel(ah), C.lt_tensor_numel(bh)
  if na ~= nb then
    error(string.format("%s: inconsistent tensor size, expected tensor [%s] and tensor [%s] " ..
      "to have the same number of elements, but got %d and %d elements respectively",
      fname, core.size_string(a), core.size_string(b), tonumber(na), tonumber(nb)), 3)
  end
  if a:isSameSizeAs(b) then return bh end
  return call("reshape", bh, core.sizes(a))
end

-- make `dest` the size of `like` (Torch7 resizes result tensors silently)
function A.resize_as(dest, like)
  if dest ~= like and not dest:isSameSizeAs(like) then
    run("resize_", dest._h, core.sizes(like))
  end
end

-- integer tensors do C arithmetic: scalars truncate toward zero
function A.scalar_for(t, v)
  if type(v) ~= "number" then return v end
  if core.info(t).integer and v ~= math.floor(v) then
    return v < 0 and math.ceil(v) or math.floor(v)
  end
  return v
end

-- torch.f(...) for a method whose self is the destination: a tensor first argument
-- followed by `nsrc` more arguments is a result-first call, otherwise make a new result.
function A.functional(name, nsrc)
  torch[name] = function(first, ...)
    if select("#", ...) >= nsrc and isTensor(first) and isTensor((select(1, ...))) then
      return M[name](first, ...)
    end
    local like = isTensor(first) and first or select(1, ...)
    if not isTensor(like) then core.bad_args("torch." .. name, first, ...) end
    return M[name](like.new(), first, ...)
  end
end

---------------------------------------------------------------------------- unary

-- the functions the shim calls unboxed (lt_unary_out's codes)
local UNARY_CODES = { sigmoid = 1, tanh = 2, exp = 3, log = 4, sqrt = 5, abs = 6, neg = 7 }

local function unary(name, aten_name)
  local code = UNARY_CODES[aten_name] or 0
  M[name] = function(self, src)
    if src == nil or src == self then
      if C.lt_unary_out(code, self, self) == 1 then return self end
      run(aten_name .. "_", self._h)
    else
      A.resize_as(self, src)
      if isTensor(src) and C.lt_unary_out(code, self, src) == 1 then return self end
      run(aten_name .. ".out", src._h, self._h)
    end
    return self
  end
  torch[name] = function(a, b)
    if b ~= nil then return M[name](a, b) end
    if not isTensor(a) then core.bad_args("torch." .. name, a) end
    return M[name](a.new(), a)
  end
end
A.unary = unary

for _, n in ipairs { "abs", "sqrt", "exp", "log", "sigmoid", "tanh", "log1p", "rsqrt", "floor",
  "ceil", "trunc", "frac", "neg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
  "expm1", "sign" } do
  unary(n, n)
end
unary("cinv", "reciprocal")

---------------------------------------------------------------------------- add / csub

-- x:add(v) | x:add(y) | x:add(v, y) | res:add(a, b) | res:add(a, v, b) | res:add(a, v)
local function add_like(fname, sign)
  return function(self, a, b, c)
    local h = self._h
    -- Torch7's wrappers read numbers with lua_isnumber: numeric strings count
    if type(a) == "string" then a = tonumber(a) or a end
    if type(b) == "string" then b = tonumber(b) or b end
    if c ~= nil then  -- res = a + v*b
      A.resize_as(self, a)
      run("add.out", a._h, A.operand(fname, a, c), sign * b, h)
    elseif b ~= nil then
      if isTensor(a) and isTensor(b) then      -- res = a + b
        A.resize_as(self, a)
        run("add.out", a._h, A.operand(fname, a, b), sign, h)
      elseif isTensor(b) then                  -- x += v*y
        run("add_.Tensor", h, A.operand(fname, self, b), sign * a)
      elseif isTensor(a) then                  -- res = a + v
        A.resize_as(self, a)
        run("add.Scalar_out", a._h, A.scalar_for(self, sign * b), 1, h)
      else
        core.bad_args(fname, self, a, b)
      end
    elseif isTensor(a) then                    -- x += y
      if C.lt_small_add(h, a, sign) == 1 then return self end
      run("add_.Tensor", h, A.operand(fname, self, a), sign)
    elseif type(a) == "number" then            -- x += v
      run("add_.Scalar", h, A.scalar_for(self, sign * a), 1)
    else
      core.bad_args(fname, self, a)
    end
    return self
  end
end
M.add = add_like("add", 1)
M.csub = add_like("csub", -1)
A.functional("add", 2)
A.functional("csub", 2)

---------------------------------------------------------------------------- mul / div

-- integer division truncates toward zero, as C does
local function div_mode(t)
  return core.info(t).integer and "trunc" or nil
end

-- x:mul(v) | res:mul(a, v) ; x:div(v) | res:div(a, v)
function M:mul(a, v)
  if v == nil then
    if type(a) == "number" and C.lt_small_mul_scalar(self, a) == 1 then return self end
    run("mul_.Scalar", self._h, A.scalar_for(self, a))
  else
    A.resize_as(self, a)
    run("mul.Scalar_out", a._h, A.scalar_for(self, v), self._h)
  end
  return self
end

function M:div(a, v)
  local src, value = self, a
  if v ~= nil then src, value = a, v end
  if type(value) ~= "number" then core.bad_args("div", self, a, v) end
  A.resize_as(self, src)
  local mode = div_mode(self)
  if mode then
    run("div.Scalar_mode_out", src._h, value, mode, self._h)
  else
    run("div.Scalar_out", src._h, value, self._h)
  end
  return self
end
torch.mul = function(a, b, c)
  if c ~= nil then return M.mul(a, b, c) end
  return M.mul(a.new(), a, b)
end
torch.div = function(a, b, c)
  if c ~= nil then return M.div(a, b, c) end
  return M.div(a.new(), a, b)
end

-- x:cmul(y) | res:cmul(a, b) ; x:cdiv(y) | res:cdiv(a, b)
-- `small(x, y)`: the shim's in-place fast path, 1 when it did the work
local function cwise(fname, op, small)
  M[fname] = function(self, a, b)
    if not isTensor(a) then core.bad_args(fname, self, a, b) end
    local x, y = self, a
    if b ~= nil then x, y = a, b end
    if not isTensor(y) then core.bad_args(fname, self, a, b) end
    if x == self and small and small(self, y) == 1 then return self end
    local yh = A.operand(fname, x, y)
    A.resize_as(self, x)
    op(self, x._h, yh)
    return self
  end
end
cwise("cmul", function(self, x, y) run("mul.out", x, y, self._h) end, C.lt_small_cmul)
cwise("cdiv", function(self, x, y)
  local mode = div_mode(self)
  if mode then run("div.out_mode", x, y, mode, self._h) else run("div.out", x, y, self._h) end
end)
cwise("cpow", function(self, x, y) run("pow.Tensor_Tensor_out", x, y, self._h) end)
A.functional("cmul", 2)
A.functional("cdiv", 2)
A.functional("cpow", 2)

-- x:pow(n) | res:pow(a, n) | torch.pow(a, n) | torch.pow(n, a)
function M:pow(a, n)
  if n == nil then
    run("pow_.Scalar", self._h, a)
  elseif isTensor(a) then
    A.resize_as(self, a)
    run("pow.Tensor_Scalar_out", a._h, n, self._h)
  else  -- res:pow(base, tensor)
    A.resize_as(self, n)
    run("pow.Scalar_out", a, n._h, self._h)
  end
  return self
end
torch.pow = function(a, b, c)
  if c ~= nil then return M.pow(a, b, c) end
  local like = isTensor(a) and a or b
  return M.pow(like.new(), a, b)
end

return A
