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

local C = aten.C
local call = aten.call
local run = aten.run
local type, select = type, select
local isTensor = core.isTensor
local M = core.methods
local DOUBLE = types.by_tensor_name["torch.DoubleTensor"]

local gen = random.default

-- Torch7's FloatTensor fills take their parameters as float: round them before drawing
local float_box = ffi.new("float[1]")
local function as_float(v)
  if type(v) ~= "number" then return v end
  float_box[0] = v
  return float_box[0]
end

-- run fill(g, ptr, n, ...) over a contiguous double buffer, then copy into self
local function filler(fill)
  return function(self, a, b)
    local n = self:nElement()
    if n == 0 then return self end
    if core.info(self).prefix == "Float" then a, b = as_float(a), as_float(b) end
    local buf = core.new(DOUBLE, core.sizes(self))
    fill(gen, ffi.cast("double*", C.lt_tensor_data(buf._h)), n, a, b)
    run("copy_", self._h, buf._h, false)
    return self
  end
end

local fill_uniform = filler(function(g, p, n, a, b) g:fillUniform(p, n, a or 0, b or 1) end)
local fill_normal = filler(function(g, p, n, m, s) g:fillNormal(p, n, m or 0, s or 1) end)
M.uniform = fill_uniform
M.normal = fill_normal
M.exponential = filler(function(g, p, n, l) g:fillExponential(p, n, l or 1) end)
M.cauchy = filler(function(g, p, n, m, s) g:fillCauchy(p, n, m or 0, s or 1) end)
M.logNormal = filler(function(g, p, n, m, s) g:fillLogNormal(p, n, m or 1, s or 2) end)
M.geometric = filler(function(g, p, n, prob) g:fillGeometric(p, n, prob) end)

function M:random(a, b)
  local n = self:nElement()
  if n == 0 then return self end
  local buf = core.new(DOUBLE, core.sizes(self))
  gen:fillRandom(ffi.cast("double*", C.lt_tensor_data(buf._h)), n, a, b, "torch." .. core.info(self).prefix .. "Tensor")
  run("copy_", self._h, buf._h, false)
  return self
end

-- bernoulli(p) with a number, or with a tensor of per-element probabilities
local fill_bernoulli = filler(function(g, p, n, prob) g:fillBernoulli(p, n, prob == nil and 0.5 or prob) end)
function M:bernoulli(p)
  if not isTensor(p) then return fill_bernoulli(self, p) end
  local probs = p:double():contiguous()
  local pp = ffi.cast("double*", C.lt_tensor_data(probs._h))
  local n = self:nElement()
  if probs:nElement() ~= n then
    error("bernoulli: the probability tensor has " .. probs:nElement() .. " elements, expected " .. n, 2)
  end
  local buf = core.new(DOUBLE, core.sizes(self))
  local out = ffi.cast("double*", C.lt_tensor_data(buf._h))
  for i = 0, n - 1 do out[i] = gen:bernoulli(pp[i]) end
  run("copy_", self._h, buf._h, false)
  return self
end

function torch.manualSeed(seed) gen:manualSeed(seed) end
function torch.seed() return gen:seed() end
function torch.initialSeed() return gen:initialSeed() end
function torch.uniform(a, b) return gen:uniform(a or 0, b or 1) end
function torch.normal(m, s) return gen:normal(m or 0, s or 1) end
function torch.exponential(l) return gen:exponential(l or 1) end
function torch.cauchy(m, s) return gen:cauchy(m or 0, s or 1) end
function torch.logNormal(m, s) return gen:logNormal(m or 1, s or 2) end
function torch.geometric(p) return gen:geometric(p) end
function torch.bernoulli(p) return gen:bernoulli(p == nil and 0.5 or p) end
function torch.random(a, b) return gen:random(a, b) end

function torch.getRNGState()
  local bytes = gen:getState()
  local t = torch.ByteTensor(#bytes)
  ffi.copy(C.lt_tensor_data(t._h), bytes, #bytes)
  return t
end

function torch.setRNGState(state)
  if not (isTensor(state) and torch.typename(state) == "torch.ByteTensor") then
    error("setRNGState expects the ByteTensor that getRNGState returned", 2)
  end
  local c = state:contiguous()
  gen:setState(ffi.string(C.lt_tensor_data(c._h), c:nElement()))
end

-- torch.rand([res,] sizes...) and torch.randn: the default type unless res is given
local function drawn(fill)
  return function(first, ...)
    if isTensor(first) then return fill(first:resize(...)) end
    return fill(torch.Tensor(first, ...))
  end
end
torch.rand = drawn(function(t) return fill_uniform(t, 0, 1) end)
torch.randn = drawn(function(t) return fill_normal(t, 0, 1) end)

function torch.randperm(first, n)
  local res = first
  if not isTensor(first) then res, n = torch.Tensor(), first end
  local perm = random.randperm(gen, n)
  return res:resize(#perm):copy(torch.DoubleTensor(perm))
end

-- multinomial(probs, n [, replacement]) -> LongTensor of 1-based indices, per row of a
-- 2-D probability matrix
function torch.multinomial(first, probs, n, replacement)
  local res = first
  if not isTensor(probs) then res, probs, n, replacement = torch.LongTensor(), first, probs, n end
  local rows = probs:dim() == 1 and { probs } or {}
  if probs:dim() == 2 then for i = 1, probs:size(1) do rows[i] = probs[i] end end
  local out = {}
  for i, row in ipairs(rows) do
    local p = row:double():totable()
    out[i] = random.multinomial(gen, p, n, replacement)
  end
  local flat = probs:dim() == 1 and out[1] or out
  local r = torch.LongTensor(flat)
  return res:resizeAs(r):copy(r)
end

return M
