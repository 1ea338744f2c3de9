-- torch.random: Torch7's THRandom (lib/TH/THRandom.c, MT19937) and the tensor-level draws
-- built on it (THTensorRandom.c, randperm, TensorMath.lua's random wrappers), so that after
-- manualSeed(n) every draw is bit-for-bit Torch7's. The generator and its distributions run
-- in C (lua_server/aten/mt19937.cpp) on a struct laid out as Torch7's THGenerator; the
-- argument checks, seeding policy and the integer draws' wrapping rules live here.
local ffi = require "ffi"
local aten = require "aten"

local C = aten.C
local floor = math.floor
local error, type, tonumber, tostring = error, type, tonumber, tostring
local setmetatable, format = setmetatable, string.format

local N = 624
local TWO32, TWO63, TWO64 = 2 ^ 32, 2 ^ 63, 2 ^ 64
local INV_TWO32 = 1.0 / 4294967296.0

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
ffi.cdef [[
void lt_rng_seed(luatorch_THGenerator* g, int64_t seed);
uint32_t lt_rng_word(luatorch_THGenerator* g);
double lt_rng_uniform(luatorch_THGenerator* g, double a, double b);
double lt_rng_normal(luatorch_THGenerator* g, double mean, double stdv);
double lt_rng_exponential(luatorch_THGenerator* g, double lambda);
double lt_rng_cauchy(luatorch_THGenerator* g, double median, double sigma);
double lt_rng_log_normal(luatorch_THGenerator* g, double mean, double stdv);
double lt_rng_geometric(luatorch_THGenerator* g, double p);
double lt_rng_bernoulli(luatorch_THGenerator* g, double p);
void lt_rng_fill_double(luatorch_THGenerator* g, int kind, double* out, int64_t n, double a, double b);
void lt_rng_fill_float(luatorch_THGenerator* g, int kind, float* out, int64_t n, double a, double b);
]]
local StateT = ffi.typeof("luatorch_THGenerator")
local STATE_SIZE = ffi.sizeof(StateT)   -- 5048
local double_ptr, float_ptr = ffi.typeof("double*"), ffi.typeof("float*")
local UNIFORM, NORMAL, EXPONENTIAL, CAUCHY, LOG_NORMAL, GEOMETRIC, BERNOULLI = 0, 1, 2, 3, 4, 5, 6

local _M = { STATE_SIZE = STATE_SIZE }

-- cwrap reads a 'long' argument as (long)lua_tonumber(): truncation toward zero; x86-64
-- turns NaN and out-of-range values into LONG_MIN.
local function to_long(x, what)
  local n = tonumber(x)
  if not n then error(format("%s: number expected, got %s", what, type(x)), 3) end
  if n ~= n or n >= TWO63 or n < -TWO63 then return -TWO63 end
  return n >= 0 and floor(n) or -floor(-n)
end

-- THRandom_random: the next tempered word, in [0, 2^32)
local function draw(g) return tonumber(C.lt_rng_word(g.st)) end

-- __uniform__: one word / 2^32 (this Torch7 predates PyTorch's 53-bit doubles; the
-- fixtures in the spec pin it)
local function uniform01(g) return draw(g) * INV_TWO32 end

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
  -- reseeding also drops the cached normal, as THRandom_manualSeed's memset does
  C.lt_rng_seed(self.st, n)
  self.initial = n
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
  return C.lt_rng_uniform(self.st, a or 0, b or 1)
end

function Generator:normal(mean, stdv)
  mean, stdv = mean or 0, stdv or 1
  check_stdv(stdv)
  return C.lt_rng_normal(self.st, mean, stdv)
end

function Generator:exponential(lambda)
  return C.lt_rng_exponential(self.st, lambda)
end

function Generator:cauchy(median, sigma)
  return C.lt_rng_cauchy(self.st, median or 0, sigma or 1)
end

-- the form after torch7 PR #834 (Nov 2016): exp of a normal(mean, stdv) draw
function Generator:logNormal(mean, stdv)
  mean, stdv = mean or 1, stdv or 2
  check_stdv(stdv)
  return C.lt_rng_log_normal(self.st, mean, stdv)
end

function Generator:geometric(p)
  check_geometric(p)
  return C.lt_rng_geometric(self.st, p)
end

function Generator:bernoulli(p)
  p = p or 0.5
  check_bernoulli(p)
  return C.lt_rng_bernoulli(self.st, p)
end

function Generator:getState()
  local st = StateT()
  ffi.copy(st, self.st, STATE_SIZE)
  st.the_initial_seed = ffi.cast("int64_t", self.initial)   -- (unsigned long) of a long
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
  for i = 0, N - 1 do st.state[i] = bit.band(st.state[i], 0xffffffffULL) end  -- words are 32-bit
  ffi.copy(self.st, st, STATE_SIZE)
  self.initial = tonumber(ffi.cast("int64_t", st.the_initial_seed))
end

-- fill(g, kind, ptr, n, a, b, as_float): n draws into the contiguous doubles (or floats) at
-- ptr, the same numbers as n scalar calls (TH_TENSOR_APPLY visits elements in row-major
-- order); floats are each double draw cast, as Torch7 stores them. Note that cwrap passes
-- x:uniform(a, b)'s bounds (and normal/cauchy/logNormal/exponential's parameters) as
-- `real`, so for a FloatTensor the caller rounds them to float before calling.
local function fill(g, kind, ptr, n, a, b, as_float)
  if as_float then C.lt_rng_fill_float(g.st, kind, ffi.cast(float_ptr, ptr), n, a or 0, b or 0)
  else C.lt_rng_fill_double(g.st, kind, ffi.cast(double_ptr, ptr), n, a or 0, b or 0) end
end
_M.fill = fill
_M.UNIFORM, _M.NORMAL, _M.EXPONENTIAL, _M.CAUCHY = UNIFORM, NORMAL, EXPONENTIAL, CAUCHY
_M.LOG_NORMAL, _M.GEOMETRIC, _M.BERNOULLI = LOG_NORMAL, GEOMETRIC, BERNOULLI

-- g:fillUniform(ptr, n, a, b) and the like: n doubles at ptr[0..n-1]
function Generator:fillUniform(ptr, n, a, b) fill(self, UNIFORM, ptr, n, a or 0, b or 1) end

function Generator:fillNormal(ptr, n, mean, stdv)
  mean, stdv = mean or 0, stdv or 1
  check_stdv(stdv)
  fill(self, NORMAL, ptr, n, mean, stdv)
end

function Generator:fillExponential(ptr, n, lambda) fill(self, EXPONENTIAL, ptr, n, lambda) end

function Generator:fillCauchy(ptr, n, median, sigma)
  fill(self, CAUCHY, ptr, n, median or 0, sigma or 1)
end

function Generator:fillLogNormal(ptr, n, mean, stdv)
  mean, stdv = mean or 1, stdv or 2
  check_stdv(stdv)
  fill(self, LOG_NORMAL, ptr, n, mean, stdv)
end

function Generator:fillGeometric(ptr, n, p)
  check_geometric(p)
  fill(self, GEOMETRIC, ptr, n, p)
end

function Generator:fillBernoulli(ptr, n, p)
  p = p or 0.5
  check_bernoulli(p)
  fill(self, BERNOULLI, ptr, n, p)
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
  local g = setmetatable({ st = StateT() }, Generator)
  g:seed()
  return g
end
_M.GeneratorMT = Generator

_M.default = _M.Generator()

return _M
