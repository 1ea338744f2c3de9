-- Random fills and draws with Torch7's exact streams (torch/random.lua ports THRandom):
-- x:uniform(a, b), normal, random, exponential, cauchy, logNormal, geometric, bernoulli fill
-- in row-major order; torch.rand/randn/randperm/multinomial; the seed and state calls.
-- Draws are made in double and cast to the element type, as Torch7's C code does.
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"
local types = require "torch.types"
local random = require "torch.random"
local Generator = require "torch.Generator"

local C = aten.C
local call = aten.call
local run = aten.run
local type, select, getmetatable = type, select, getmetatable
local isTensor = core.isTensor
local M = core.methods
local DOUBLE = types.by_tensor_name["torch.DoubleTensor"]

local gen = random.default
local state_of = Generator.state_of

-- Torch7's random functions take an optional torch.Generator first: (gen, the rest...)
local RawGenerator = random.GeneratorMT
local function split(first, ...)
  local g = state_of(first)
  if g then return g, ... end
  if getmetatable(first) == RawGenerator then return first, ... end
  return gen, first, ...
end

-- Torch7's FloatTensor fills take their parameters as float: round them before drawing
local float_box = ffi.new("float[1]")
local function as_float(v)
  if type(v) ~= "number" then return v end
  float_box[0] = v
  return float_box[0]
end

-- x:uniform(...) and the like: a contiguous CPU Double or Float tensor is filled in place
-- by the C generator; any other is filled through a double buffer and copied (the same
-- numbers: Torch7 draws in double and casts each one)
local FILLED_IN_PLACE = { Double = false, Float = true }  -- prefix -> elements are floats
local function filler(kind, check, default_a, default_b)
  return function(self, ...)
    local g, a, b = split(...)
    if a == nil then a = default_a end
    if b == nil then b = default_b end
    if check then check(a, b) end
    local n = self:nElement()
    if n == 0 then return self end
    local info = core.info(self)
    if info.prefix == "Float" then a, b = as_float(a), as_float(b) end
    local floats = FILLED_IN_PLACE[info.prefix]
    if floats ~= nil and info.device == aten.device.cpu and self:isContiguous() then
      random.fill(g, kind, C.lt_tensor_data(self._h), n, a, b, floats)
      return self
    end
    local buf = core.new(DOUBLE, core.sizes(self))
    random.fill(g, kind, C.lt_tensor_data(buf._h), n, a, b, false)
    run("copy_", self._h, buf._h, false)
    return self
  end
end

local function check_stdv(_, stdv)
  if not (stdv > 0) then error("standard deviation must be strictly positive", 3) end
end
local fill_uniform = filler(random.UNIFORM, nil, 0, 1)
local fill_normal = filler(random.NORMAL, check_stdv, 0, 1)
M.uniform = fill_uniform
M.normal = fill_normal
M.exponential = filler(random.EXPONENTIAL, nil, 1)
M.cauchy = filler(random.CAUCHY, nil, 0, 1)
M.logNormal = filler(random.LOG_NORMAL, check_stdv, 1, 2)
M.geometric = filler(random.GEOMETRIC, function(p)
  if not (p > 0 and p < 1) then error("geometric: p must be > 0 and < 1", 3) end
end)

function M:random(...)
  local g, a, b = split(...)
  local n = self:nElement()
  if n == 0 then return self end
  local buf = core.new(DOUBLE, core.sizes(self))
  g:fillRandom(ffi.cast("double*", C.lt_tensor_data(buf._h)), n, a, b, "torch." .. core.info(self).prefix .. "Tensor")
  run("copy_", self._h, buf._h, false)
  return self
end

-- bernoulli(p) with a number, or with a tensor of per-element probabilities
local fill_bernoulli = filler(random.BERNOULLI, function(p)
  if not (p >= 0 and p <= 1) then error("bernoulli: p must be >= 0 and <= 1", 3) end
end, 0.5)
function M:bernoulli(...)
  local g, p = split(...)
  if not isTensor(p) then return fill_bernoulli(self, ...) end
  local probs = p:double():contiguous()
  local pp = ffi.cast("double*", C.lt_tensor_data(probs._h))
  local n = self:nElement()
  if probs:nElement() ~= n then
    error("bernoulli: the probability tensor has " .. probs:nElement() .. " elements, expected " .. n, 2)
  end
  local buf = core.new(DOUBLE, core.sizes(self))
  local out = ffi.cast("double*", C.lt_tensor_data(buf._h))
  for i = 0, n - 1 do out[i] = g:bernoulli(pp[i]) end
  run("copy_", self._h, buf._h, false)
  return self
end

function torch.manualSeed(...) local g, seed = split(...); g:manualSeed(seed) end
function torch.seed(...) return (split(...)):seed() end
function torch.initialSeed(...) return (split(...)):initialSeed() end
function torch.uniform(...) local g, a, b = split(...); return g:uniform(a or 0, b or 1) end
function torch.normal(...) local g, m, s = split(...); return g:normal(m or 0, s or 1) end
function torch.exponential(...) local g, l = split(...); return g:exponential(l or 1) end
function torch.cauchy(...) local g, m, s = split(...); return g:cauchy(m or 0, s or 1) end
function torch.logNormal(...) local g, m, s = split(...); return g:logNormal(m or 1, s or 2) end
function torch.geometric(...) local g, p = split(...); return g:geometric(p) end
function torch.bernoulli(...) local g, p = split(...); return g:bernoulli(p == nil and 0.5 or p) end
function torch.random(...) local g, a, b = split(...); return g:random(a, b) end

function torch.getRNGState(...)
  local bytes = (split(...)):getState()
  local t = torch.ByteTensor(#bytes)
  ffi.copy(C.lt_tensor_data(t._h), bytes, #bytes)
  return t
end

-- setRNGState([gen,] state) -> state
function torch.setRNGState(...)
  local g, state = split(...)
  if not (isTensor(state) and torch.typename(state) == "torch.ByteTensor") then
    error("setRNGState expects the ByteTensor that getRNGState returned", 2)
  end
  if state:nElement() ~= random.STATE_SIZE then
    error("bad argument #1 to 'setRNGState' (RNG state is wrong size)", 2)
  end
  local c = state:contiguous()
  local ok = pcall(g.setState, g, ffi.string(C.lt_tensor_data(c._h), c:nElement()))
  if not ok then error("bad argument #1 to 'setRNGState' (Invalid RNG state)", 2) end
  return state
end

-- torch.rand([res,] sizes...) and torch.randn: the default type unless res is given
local function drawn(fill)
  local function sized(res, g, ...) return fill(res:resize(...), g) end
  return function(first, ...)
    if isTensor(first) then return sized(first, split(...)) end
    local g = state_of(first)
    if g then return sized(torch.Tensor(), g, ...) end
    return sized(torch.Tensor(), gen, first, ...)
  end
end
torch.rand = drawn(function(t, g) return fill_uniform(t, g, 0, 1) end)
torch.randn = drawn(function(t, g) return fill_normal(t, g, 0, 1) end)

-- randperm([res,] [gen,] n)
function torch.randperm(first, ...)
  local res = first
  local g, n
  if isTensor(first) then g, n = split(...) else res = torch.Tensor(); g, n = split(first, ...) end
  local perm = random.randperm(g, n)
  return res:resize(#perm):copy(torch.DoubleTensor(perm))
end

-- the method forms, as Torch7's: x:rand(sizes...) and x:randn resize and fill x,
-- x:randperm(n) fills x, res:multinomial(probs, n) fills res
function M:rand(...) return torch.rand(self, ...) end
function M:randn(...) return torch.randn(self, ...) end
function M:randperm(...) return torch.randperm(self, ...) end
function M:multinomial(...) return torch.multinomial(self, ...) end

-- multinomial(probs, n [, replacement]) -> LongTensor of 1-based indices, per row of a
-- 2-D probability matrix
function torch.multinomial(first, second, ...)
  if not (isTensor(first) and (isTensor(second) or state_of(second))) then
    return torch.multinomial(torch.LongTensor(), first, second, ...)
  end
  local res = first
  local g, probs, n, replacement = split(second, ...)
  local rows = probs:dim() == 1 and { probs } or {}
  if probs:dim() == 2 then for i = 1, probs:size(1) do rows[i] = probs[i] end end
  local out = {}
  for i, row in ipairs(rows) do
    local p = row:double():totable()
    out[i] = random.multinomial(g, p, n, replacement)
  end
  local flat = probs:dim() == 1 and out[1] or out
  local r = torch.LongTensor(flat)
  return res:resizeAs(r):copy(r)
end

return M
