-- torch.random: a pure-LuaJIT port of Torch7's THRandom (lib/TH/THRandom.c, MT19937) and
-- of the tensor-level draws built on it (THTensorRandom.c, randperm, TensorMath.lua's
-- random wrappers), so that after manualSeed(n) every draw is bit-for-bit Torch7's.
-- The state lives in an int32_t[624]: LuaJIT's bit ops are signed 32-bit, so words are
-- kept signed and turned into [0, 2^32) only where a number leaves the generator.
local ffi = require "ffi"
local bit = require "bit"

local band, bor, bxor, tobit = bit.band, bit.bor, bit.bxor, bit.tobit
local rshift, lshift = bit.rshift, bit.lshift
local floor, sqrt, log, exp = math.floor, math.sqrt, math.log, math.exp
local cos, sin, tan = math.cos, math.sin, math.tan
local error, type, tonumber, tostring = error, type, tonumber, tostring
local setmetatable, format = setmetatable, string.format

local N, M = 624, 397
local TWO32, TWO63, TWO64 = 2 ^ 32, 2 ^ 63, 2 ^ 64
local INV_TWO32 = 1.0 / 4294967296.0
local MATRIX_A, UMASK, LMASK = tobit(0x9908b0df), tobit(0x80000000), 0x7fffffff
local TEMPER_B, TEMPER_C = tobit(0x9d2c5680), tobit(0xefc60000)
local TWO_PI, PI = 2.0 * math.pi, math.pi   -- C: 2.*M_PI folds to the same double

-- getState()'s bytes are Torch7's THGenerator on LP64 Linux, i.e. exactly what
-- torch.getRNGState() puts in its ByteTensor, so states can travel both ways.
if not pcall(ffi.typeof, "luatorch_THGenerator") then
  ffi.cdef [[
typedef struct luatorch_THGenerator {
  uint64_t the_initial_seed;
  int32_t left;
  int32_t seeded;
  uint64_t next;
  uint64_t state[624];
  double normal_x, normal_y, normal_rho;
  int32_t normal_is_valid;
} luatorch_THGenerator;
]]
end
local StateT = ffi.typeof("luatorch_THGenerator")
local STATE_SIZE = ffi.sizeof(StateT)   -- 5048
local WordsT = ffi.typeof("int32_t[624]")

local _M = { STATE_SIZE = STATE_SIZE }

-- cwrap reads a 'long' argument as (long)lua_tonumber(): truncation toward zero; x86-64
-- turns NaN and out-of-range values into LONG_MIN.
local function to_long(x, what)
  local n = tonumber(x)
  if not n then error(format("%s: number expected, got %s", what, type(x)), 3) end
  if n ~= n or n >= TWO63 or n < -TWO63 then return -TWO63 end
  return n >= 0 and floor(n) or -floor(-n)
end

local function u32(y) if y < 0 then return y + TWO32 end return y end

-- 32x32-bit multiply mod 2^32 in doubles (the product needs 64 bits; halves stay exact)
local function mul32(a, x)
  local lo = x % 65536
  return ((a * ((x - lo) / 65536)) % 65536 * 65536 + a * lo) % TWO32
end

local function twist(u, v)
  local y = rshift(bor(band(u, UMASK), band(v, LMASK)), 1)
  if band(v, 1) ~= 0 then return bxor(y, MATRIX_A) end
  return y
end

local function next_state(s)
  for k = 0, N - M - 1 do s[k] = bxor(s[k + M], twist(s[k], s[k + 1])) end
  for k = N - M, N - 2 do s[k] = bxor(s[k + M - N], twist(s[k], s[k + 1])) end
  s[N - 1] = bxor(s[M - 1], twist(s[N - 1], s[0]))
end

-- THRandom_random: the next tempered word, in [0, 2^32)
local function draw(g)
  local left, nxt = g.left - 1, g.next
  if left == 0 then next_state(g.mt); left, nxt = N, 0 end
  g.left, g.next = left, nxt + 1
  local y = g.mt[nxt]
  y = bxor(y, rshift(y, 11))
  y = bxor(y, band(lshift(y, 7), TEMPER_B))
  y = bxor(y, band(lshift(y, 15), TEMPER_C))
  return u32(bxor(y, rshift(y, 18)))
end

-- __uniform__: one word / 2^32 (this Torch7 predates PyTorch's 53-bit doubles; the
-- fixtures in the spec pin it)
local function uniform01(g) return draw(g) * INV_TWO32 end

-- THRandom_normal: Box-Muller; the first call of a pair returns the cosine branch and
-- caches rho and x, the second returns the sine branch without drawing.
local function normal(g, mean, stdv)
  if not g.nvalid then
    g.nx = uniform01(g)
    g.ny = uniform01(g)
    g.nrho = sqrt(-2.0 * log(1.0 - g.ny))
    g.nvalid = true
    return g.nrho * cos(TWO_PI * g.nx) * stdv + mean
  end
  g.nvalid = false
  return g.nrho * sin(TWO_PI * g.nx) * stdv + mean
end

local function check_stdv(stdv)
  if not (stdv > 0) then error("standard deviation must be strictly positive", 3) end
end
local function check_geometric(p)
  if not (p > 0 and p < 1) then error("geometric: p must be > 0 and < 1", 3) end
end
local function check_bernoulli(p)
  if not (p >= 0 and p <= 1) then error("bernoulli: p must be >= 0 and <= 1", 3) end
end

local function fresh_seed()   -- THRandom_seed reads /dev/urandom on Linux
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(7)
  if f then f:close() end
  local v = 0
  if bytes and #bytes == 7 then
    for i = 1, 7 do v = v * 256 + bytes:byte(i) end
  else   -- no urandom: time, CPU clock and a fresh table address
    v = os.time() * 1000003 + floor(os.clock() * 1e6) * 7919
      + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0)
  end
  -- 53 bits, unlike Torch7's 64, so that manualSeed(seed()) reproduces the stream
  return v % 2 ^ 53
end

local Generator = {}
Generator.__index = Generator

function Generator:manualSeed(seed)
  local n = to_long(seed, "manualSeed")
  local s, mt = n % TWO32, self.mt   -- state[0] = the seed's low 32 bits
  mt[0] = tobit(s)
  for j = 1, N - 1 do
    s = (mul32(1812433253, u32(bxor(s, rshift(s, 30)))) + j) % TWO32
    mt[j] = tobit(s)
  end
  -- reseeding also drops the cached normal, as THRandom_manualSeed's memset does
  self.initial, self.left, self.next = n, 1, 0
  self.nx, self.ny, self.nrho, self.nvalid = 0, 0, 0, false
end

function Generator:seed()
  local s = fresh_seed()
  self:manualSeed(s)
  return s
end

function Generator:initialSeed() return self.initial end

-- random() -> [0, 2^32); random(b) -> [1, b]; random(a, b) -> [a, b], each by `%` on one
-- word (THRandom_random1__/random2__: biased, as in Torch7). Bounds are checked before
-- drawing, like THArgCheck. Exact for ranges below 2^53.
function Generator:random(a, b)
  if a == nil then return draw(self) end
  if b == nil then
    b = to_long(a, "random")
    if b <= 0 then error("upper bound must be strictly positive", 2) end
    return draw(self) % b + 1
  end
  a, b = to_long(a, "random"), to_long(b, "random")
  if b < a then error("upper bound must be larger than lower bound", 2) end
  return draw(self) % (b + 1 - a) + a
end

function Generator:uniform(a, b)
  a, b = a or 0, b or 1
  return uniform01(self) * (b - a) + a
end

function Generator:normal(mean, stdv)
  mean, stdv = mean or 0, stdv or 1
  check_stdv(stdv)
  return normal(self, mean, stdv)
end

function Generator:exponential(lambda)
  return -1.0 / lambda * log(1 - uniform01(self))
end

function Generator:cauchy(median, sigma)
  median, sigma = median or 0, sigma or 1
  return median + sigma * tan(PI * (uniform01(self) - 0.5))
end

-- the form after torch7 PR #834 (Nov 2016): exp of a normal(mean, stdv) draw
function Generator:logNormal(mean, stdv)
  mean, stdv = mean or 1, stdv or 2
  check_stdv(stdv)
  return exp(normal(self, mean, stdv))
end

function Generator:geometric(p)
  check_geometric(p)
  return floor(log(1 - uniform01(self)) / log(p)) + 1   -- (int) cast of a positive value
end

function Generator:bernoulli(p)
  p = p or 0.5
  check_bernoulli(p)
  return uniform01(self) <= p and 1 or 0
end

function Generator:getState()
  local st, mt = StateT(), self.mt
  st.the_initial_seed = ffi.cast("int64_t", self.initial)   -- (unsigned long) of a long
  st.left, st.seeded, st.next = self.left, 1, self.next
  for i = 0, N - 1 do st.state[i] = u32(mt[i]) end
  st.normal_x, st.normal_y, st.normal_rho = self.nx, self.ny, self.nrho
  st.normal_is_valid = self.nvalid and 1 or 0
  return ffi.string(st, STATE_SIZE)
end

function Generator:setState(bytes)
  if type(bytes) ~= "string" then
    error("RNG state must be a string, got " .. type(bytes), 2)
  end
  if #bytes ~= STATE_SIZE then
    error(format("RNG state is wrong size: expected %d bytes, got %d", STATE_SIZE, #bytes), 2)
  end
  local st = StateT()
  ffi.copy(st, bytes, STATE_SIZE)
  local left, nxt = st.left, tonumber(st.next)
  -- THGenerator_isValid, plus left + next <= 625 so that no draw reads past state[623]
  if st.seeded ~= 1 or left < 1 or left > N or nxt > N or left + nxt > N + 1 then
    error("Invalid RNG state", 2)
  end
  local mt = self.mt
  for i = 0, N - 1 do mt[i] = st.state[i] end   -- integer conversion keeps the low 32 bits
  self.initial = tonumber(ffi.cast("int64_t", st.the_initial_seed))
  self.left, self.next = left, nxt
  self.nx, self.ny, self.nrho = st.normal_x, st.normal_y, st.normal_rho
  self.nvalid = st.normal_is_valid ~= 0
end

-- Bulk fills: n doubles at ptr[0..n-1], the same numbers as n scalar calls (TH_TENSOR_APPLY
-- visits elements in row-major order). Float tensors: Torch7 draws in double and casts
-- each value, which the caller does; note also that cwrap passes x:uniform(a, b)'s bounds
-- (and normal/cauchy/logNormal/exponential's parameters) as `real`, so for a FloatTensor
-- the caller rounds them to float before calling these.
function Generator:fillUniform(ptr, n, a, b)
  a, b = a or 0, b or 1
  for i = 0, n - 1 do ptr[i] = uniform01(self) * (b - a) + a end
end

function Generator:fillNormal(ptr, n, mean, stdv)
  mean, stdv = mean or 0, stdv or 1
  check_stdv(stdv)
  for i = 0, n - 1 do ptr[i] = normal(self, mean, stdv) end
end

function Generator:fillExponential(ptr, n, lambda)
  for i = 0, n - 1 do ptr[i] = -1.0 / lambda * log(1 - uniform01(self)) end
end

function Generator:fillCauchy(ptr, n, median, sigma)
  median, sigma = median or 0, sigma or 1
  for i = 0, n - 1 do ptr[i] = median + sigma * tan(PI * (uniform01(self) - 0.5)) end
end

function Generator:fillLogNormal(ptr, n, mean, stdv)
  mean, stdv = mean or 1, stdv or 2
  check_stdv(stdv)
  for i = 0, n - 1 do ptr[i] = exp(normal(self, mean, stdv)) end
end

function Generator:fillGeometric(ptr, n, p)
  check_geometric(p)
  for i = 0, n - 1 do ptr[i] = floor(log(1 - uniform01(self)) / log(p)) + 1 end
end

function Generator:fillBernoulli(ptr, n, p)
  p = p or 0.5
  check_bernoulli(p)
  for i = 0, n - 1 do ptr[i] = uniform01(self) <= p and 1 or 0 end
end

-- x:random() keeps `word % (max + 1)` of the element type (THTensor_(random))
local RANDOM_MODULUS = {
  ["torch.ByteTensor"] = 256, ["torch.CharTensor"] = 128, ["torch.ShortTensor"] = 32768,
  ["torch.IntTensor"] = 2 ^ 31, ["torch.LongTensor"] = TWO63,
  ["torch.FloatTensor"] = 2 ^ 24 + 1, ["torch.DoubleTensor"] = 2 ^ 53 + 1,
}
-- x:random(b) / x:random(a, b) compute `word % range + a` in unsigned long and store it
-- in the element type: integer types wrap; Float/Double turn a negative result into
-- 2^64 + v (a Torch7 bug, cf. pytorch#6338), which we reproduce.
local function wrap_bits(bits, signed)
  local span, half = 2 ^ bits, 2 ^ (bits - 1)
  if signed then return function(v) return (v + half) % span - half end end
  return function(v) return v % span end
end
local function unsigned_double(v) if v < 0 then return v + TWO64 end return v end
local STORE = {
  ["torch.ByteTensor"] = wrap_bits(8, false), ["torch.CharTensor"] = wrap_bits(8, true),
  ["torch.ShortTensor"] = wrap_bits(16, true), ["torch.IntTensor"] = wrap_bits(32, true),
  ["torch.LongTensor"] = function(v) return v end,
  ["torch.FloatTensor"] = unsigned_double, ["torch.DoubleTensor"] = unsigned_double,
}
_M.RANDOM_MODULUS = RANDOM_MODULUS

-- g:fillRandom(ptr, n [, a [, b]] [, tensorType]): Torch7's x:random(), x:random(b),
-- x:random(a, b) for a tensor of tensorType (default "torch.DoubleTensor"), written as
-- doubles that the caller casts to the element type.
function Generator:fillRandom(ptr, n, a, b, ttype)
  if type(a) == "string" then a, b, ttype = nil, nil, a
  elseif type(b) == "string" then b, ttype = nil, b end
  ttype = ttype or "torch.DoubleTensor"
  local store = STORE[ttype]
  if not store then error("fillRandom: unknown tensor type " .. tostring(ttype), 2) end
  if a == nil then
    local m = RANDOM_MODULUS[ttype]
    for i = 0, n - 1 do ptr[i] = draw(self) % m end
    return
  end
  local lo, range
  if b == nil then
    b = to_long(a, "random")
    if b <= 0 then error("upper bound must be strictly positive", 2) end
    lo, range = 1, b
  else
    a, b = to_long(a, "random"), to_long(b, "random")
    if b < a then error("upper bound must be larger than lower bound", 2) end
    lo, range = a, b + 1 - a
  end
  for i = 0, n - 1 do ptr[i] = store(draw(self) % range + lo) end
end

-- THTensor_(randperm) (+1 from its wrapper): Fisher-Yates from the front with
-- z = word % (n - i).
function _M.randperm(g, n)
  n = to_long(n, "randperm")
  if n <= 0 then error("randperm: n must be strictly positive", 2) end
  local p = {}
  for i = 1, n do p[i] = i end
  for i = 1, n - 1 do
    local j = i + draw(g) % (n - i + 1)
    p[i], p[j] = p[j], p[i]
  end
  return p
end

-- THTensor_(multinomial) for one distribution: normalized cumulative sums, one uniform
-- per sample, a binary search for the first bucket >= u; without replacement the drawn
-- bucket's mass is removed and the rest renormalized in place, exactly as Torch7 does.
function _M.multinomial(g, probs, n_sample, with_replacement)
  local K = #probs
  n_sample = to_long(n_sample, "multinomial")
  if n_sample <= 0 then error("cannot sample n_sample <= 0 samples", 2) end
  if not with_replacement and n_sample > K then
    error("cannot sample n_sample > prob_dist:size(1) samples without replacement", 2)
  end
  local cum, sum = {}, 0
  for j = 1, K do sum = sum + probs[j]; cum[j] = sum end
  if not (sum > 0) then error("invalid multinomial distribution (sum of probabilities <= 0)", 2) end
  for j = 1, K do cum[j] = cum[j] / sum end
  local out = {}
  for s = 1, n_sample do
    local u = uniform01(g)   -- THRandom_uniform(gen, 0, 1)
    cum[K] = 1
    local left, right = 0, K   -- 0-based, as in C
    while right > left do
      local mid = left + floor((right - left) / 2)
      if cum[mid + 1] < u then left = mid + 1 else right = mid end
    end
    out[s] = left + 1
    if not with_replacement then
      local diff = cum[left + 1] - (left > 0 and cum[left] or 0)
      local rest = 1.0 - diff
      for k = 1, K do
        local v = cum[k]
        if k > left then v = v - diff end
        cum[k] = v / rest
      end
    end
  end
  return out
end

-- A generator seeded like Torch7's at start-up (THGenerator_new -> THRandom_seed).
function _M.Generator()
  local g = setmetatable({ mt = WordsT() }, Generator)
  g:seed()
  return g
end
_M.GeneratorMT = Generator

_M.default = _M.Generator()

return _M
