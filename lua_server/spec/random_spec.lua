local ffi = require "ffi"
local random = require "torch.random"

-- tests/fixtures/torch7_rng.lua, found from this file's path so any working directory works
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local fixtures = dofile(here .. "tests/fixtures/torch7_rng.lua")

local function f32(x) return ffi.new("float[1]", x)[0] end
local function bits(x) return string.format("%.17g", x) end

-- exact comparison that prints both sides with %.17g on failure
local function expect_exact(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what, bits(expected), bits(actual)), 2)
  end
end

-- the parameter tensors nn would build right after manualSeed: every module's reset draws
-- weight then bias with uniform(-stdv, stdv), row-major (torch/nn Linear.lua,
-- SpatialConvolution.lua)
local function init_parameters(g, modules)
  local out = {}
  for _, m in ipairs(modules) do
    local nweight, nbias, fan_in
    if m[1] == "Linear" then
      nweight, nbias, fan_in = m[2] * m[3], m[3], m[2]
    else -- SpatialConvolution(nIn, nOut, kW, kH)
      nweight, nbias, fan_in = m[2] * m[3] * m[4] * m[5], m[3], m[2] * m[4] * m[5]
    end
    local stdv = 1 / math.sqrt(fan_in)
    for _, n in ipairs({ nweight, nbias }) do
      local buf = ffi.new("double[?]", n)
      g:fillUniform(buf, n, -stdv, stdv)
      local t = {}
      for i = 0, n - 1 do t[i + 1] = buf[i] end
      out[#out + 1] = t
    end
  end
  return out
end

local function check_case(case, as_float)
  local g = random.Generator()
  g:manualSeed(case.seed)
  local got = init_parameters(g, case.modules)
  expect.eq(#got, #case.parameters, "parameter count")
  for p, expected in ipairs(case.parameters) do
    expect.eq(#got[p], #expected, "size of parameter " .. p)
    for i, e in ipairs(expected) do
      local v = as_float and f32(got[p][i]) or got[p][i]
      expect_exact(v, e, string.format("parameter %d element %d", p, i))
    end
  end
end

describe("torch.random MT19937", function()
  it("matches the reference genrand_int32 outputs after init_genrand(5489)", function()
    local g = random.Generator()
    g:manualSeed(5489)
    for _, e in ipairs({ 3499211612, 581869302, 3890346734, 3586334585, 545404204 }) do
      expect.eq(g:random(), e)
    end
    g:manualSeed(5489)
    local v
    for _ = 1, 10000 do v = g:random() end
    expect.eq(v, 4123659995, "10000th output")   -- C++11's std::mt19937 check value
  end)

  it("gives the uniforms of Torch7's manual (manualSeed(123))", function()
    local g = random.Generator()
    g:manualSeed(123)
    for _, e in ipairs({ "0.69646918727085", "0.71295532141812", "0.28613933874294" }) do
      expect.eq(string.format("%.14g", g:uniform()), e)
    end
  end)
end)

describe("torch.random against Torch7 nn initial parameters", function()
  it("reproduces the XOR net's Linear(3,4), Linear(4,1) after manualSeed(1) bit for bit", function()
    check_case(fixtures.xor_double, false)
  end)
  it("reproduces the FloatTensor XOR net after rounding the doubles to float32", function()
    check_case(fixtures.xor_float, true)
  end)
  it("reproduces Sequential(Linear(2,3), Sigmoid, Linear(3,1)) after manualSeed(123)", function()
    check_case(fixtures.sequential, false)
  end)
  it("reproduces SpatialConvolution(1,2,3,3) and Linear(8,3) after manualSeed(123)", function()
    check_case(fixtures.convnet, false)
  end)
end)

describe("torch.random distributions", function()
  local ref = fixtures.thrandom_c
  it("matches THRandom.c's algorithms draw for draw", function()
    local g = random.Generator()
    g:manualSeed(ref.seed)
    for i, e in ipairs(ref.normal) do expect_exact(g:normal(0, 1), e, "normal " .. i) end
    for i, e in ipairs(ref.exponential) do
      expect_exact(g:exponential(1.5), e, "exponential " .. i)
    end
    for i, e in ipairs(ref.cauchy) do expect_exact(g:cauchy(0, 1), e, "cauchy " .. i) end
    for i, e in ipairs(ref.logNormal) do expect_exact(g:logNormal(1, 2), e, "logNormal " .. i) end
    for i, e in ipairs(ref.geometric) do expect.eq(g:geometric(0.5), e, "geometric " .. i) end
    for i, e in ipairs(ref.bernoulli) do expect.eq(g:bernoulli(0.5), e, "bernoulli " .. i) end
    for i, e in ipairs(ref.random_1_6) do expect.eq(g:random(1, 6), e, "random(1,6) " .. i) end
    expect.same(random.randperm(g, 8), ref.randperm_8)
    local probs = { 0.1, 0.2, 0.3, 0.25, 0.15 }
    expect.same(random.multinomial(g, probs, 6, true), ref.multinomial_with)
    expect.same(random.multinomial(g, probs, 5, false), ref.multinomial_without)
    expect.eq(g:random(), ref.next_raw)
  end)

  it("fills give the same numbers as repeated scalar calls", function()
    local g, h = random.Generator(), random.Generator()
    local buf = ffi.new("double[7]")
    local fills = {
      { "fillUniform", "uniform", -2, 3 }, { "fillNormal", "normal", 1, 0.5 },
      { "fillExponential", "exponential", 2 }, { "fillCauchy", "cauchy", 0, 2 },
      { "fillLogNormal", "logNormal", 0, 1 }, { "fillGeometric", "geometric", 0.3 },
      { "fillBernoulli", "bernoulli", 0.7 },
    }
    for _, f in ipairs(fills) do
      g:manualSeed(99); h:manualSeed(99)
      g[f[1]](g, buf, 7, f[3], f[4])
      for i = 0, 6 do expect_exact(buf[i], h[f[2]](h, f[3], f[4]), f[1] .. " " .. i) end
    end
  end)

  it("a long uniform fill, across state regenerations, is the scalar draws", function()
    -- the fill takes its words a run at a time straight from the state: start mid-state,
    -- cross several 624-word regenerations, and leave the state where scalars would
    local g, h = random.Generator(), random.Generator()
    local n = 3001
    local dbuf, fbuf = ffi.new("double[3001]"), ffi.new("float[3001]")
    g:manualSeed(5); h:manualSeed(5)
    for _ = 1, 100 do g:random(); h:random() end
    g:fillUniform(dbuf, n, -2, 3)
    for i = 0, n - 1 do expect_exact(dbuf[i], h:uniform(-2, 3), "double " .. i) end
    random.fill(g, random.UNIFORM, fbuf, n, 0.5, 1, true)
    for i = 0, n - 1 do expect_exact(fbuf[i], f32(h:uniform(0.5, 1)), "float " .. i) end
    expect.eq(g:random(), h:random(), "the next word")
  end)

  it("caches the second Box-Muller value: a pair costs two words", function()
    local g, h = random.Generator(), random.Generator()
    g:manualSeed(7); h:manualSeed(7)
    g:normal(); g:normal()
    h:random(); h:random()
    expect.eq(g:random(), h:random())
    g:normal()                         -- half a pair cached
    g:manualSeed(7)                    -- reseeding drops the cache
    h:manualSeed(7)
    expect_exact(g:normal(), h:normal(), "normal after reseed")
  end)

  it("checks parameters before drawing, like THArgCheck", function()
    local g = random.Generator()
    g:manualSeed(3)
    expect.error(function() g:normal(0, 0) end, "standard deviation must be strictly positive")
    expect.error(function() g:logNormal(0, -1) end, "standard deviation must be strictly positive")
    expect.error(function() g:geometric(1) end, "must be > 0 and < 1")
    expect.error(function() g:bernoulli(1.5) end, "must be >= 0 and <= 1")
    expect.error(function() g:random(0) end, "upper bound must be strictly positive")
    expect.error(function() g:random(5, 4) end, "upper bound must be larger than lower bound")
    local h = random.Generator()
    h:manualSeed(3)
    expect.eq(g:random(), h:random(), "no words consumed by the failed calls")
  end)
end)

describe("torch.random integer draws", function()
  it("random(b) is word % b + 1 and random(a, b) is word % (b - a + 1) + a", function()
    local g, h = random.Generator(), random.Generator()
    g:manualSeed(11); h:manualSeed(11)
    for _ = 1, 50 do
      expect.eq(g:random(10), h:random() % 10 + 1)
      expect.eq(g:random(-3, 3), h:random() % 7 - 3)
    end
  end)

  it("fillRandom follows THTensor_(random) and the random1/random2 wrappers per type", function()
    local g, h = random.Generator(), random.Generator()
    local buf = ffi.new("double[20]")
    local function same(fill_args, expected_of_word)
      g:manualSeed(5); h:manualSeed(5)
      g:fillRandom(buf, 20, unpack(fill_args))
      for i = 0, 19 do expect.eq(buf[i], expected_of_word(h:random()), "element " .. i) end
    end
    same({}, function(w) return w end)                              -- DoubleTensor
    same({ "torch.FloatTensor" }, function(w) return w % (2 ^ 24 + 1) end)
    same({ "torch.ByteTensor" }, function(w) return w % 256 end)
    same({ "torch.CharTensor" }, function(w) return w % 128 end)
    same({ 6 }, function(w) return w % 6 + 1 end)
    same({ 2, 4, "torch.IntTensor" }, function(w) return w % 3 + 2 end)
    same({ -2, 1, "torch.IntTensor" }, function(w) return w % 4 - 2 end)
    same({ -2, 300, "torch.ByteTensor" }, function(w) return (w % 303 - 2) % 256 end)
    -- Torch7 computes in unsigned long, so a negative result stored in a Double/Float
    -- tensor becomes 2^64 + v (pytorch#6338 describes the same code)
    same({ -2, 1, "torch.DoubleTensor" }, function(w)
      local v = w % 4 - 2
      return v < 0 and 2 ^ 64 or v
    end)
  end)

  it("randperm returns a permutation of 1..n", function()
    local g = random.Generator()
    g:manualSeed(1)
    for _, n in ipairs({ 1, 2, 10, 1000 }) do
      local p, seen = random.randperm(g, n), {}
      expect.eq(#p, n)
      for _, v in ipairs(p) do
        expect.truthy(v >= 1 and v <= n and not seen[v], "value " .. v)
        seen[v] = true
      end
    end
    expect.error(function() random.randperm(g, 0) end, "strictly positive")
  end)

  it("multinomial returns valid indices and never repeats without replacement", function()
    local g = random.Generator()
    g:manualSeed(2)
    local probs = { 0, 3, 1, 0, 6 }
    for _, i in ipairs(random.multinomial(g, probs, 200, true)) do
      expect.truthy(probs[i] and probs[i] > 0, "index " .. i)
    end
    local drawn = random.multinomial(g, { 1, 2, 3, 4 }, 4, false)
    table.sort(drawn)
    expect.same(drawn, { 1, 2, 3, 4 })
    expect.error(function() random.multinomial(g, { 1, 2 }, 3, false) end, "without replacement")
    expect.error(function() random.multinomial(g, { 0, 0 }, 1, true) end, "sum of probabilities")
  end)
end)

describe("torch.random seeds and state", function()
  it("reduces seeds like (unsigned long)(long)n and reports the long", function()
    local g, h = random.Generator(), random.Generator()
    local cases = { { 2 ^ 32 + 5, 5 }, { -1, 2 ^ 32 - 1 }, { 3.9, 3 }, { -2.5, 2 ^ 32 - 2 } }
    for _, c in ipairs(cases) do
      g:manualSeed(c[1]); h:manualSeed(c[2])
      expect.eq(g:random(), h:random(), "seed " .. bits(c[1]))
    end
    g:manualSeed(-1)
    expect.eq(g:initialSeed(), -1)
    g:manualSeed(2 ^ 40 + 0.5)
    expect.eq(g:initialSeed(), 2 ^ 40)
  end)

  it("seed() picks a fresh seed that manualSeed reproduces", function()
    local g = random.Generator()
    local s = g:seed()
    expect.eq(g:initialSeed(), s)
    local a = g:random()
    g:manualSeed(s)
    expect.eq(g:random(), a)
    expect.truthy(g:seed() ~= s, "two seeds differ")
    expect.truthy(random.default:initialSeed() ~= nil, "default generator is seeded")
  end)

  it("getState/setState continue the stream, even mid Box-Muller pair", function()
    local g = random.Generator()
    g:manualSeed(42)
    for _ = 1, 700 do g:random() end   -- past a state refill
    g:normal()                         -- leave the sine half cached
    local st = g:getState()
    expect.eq(#st, 5048, "Torch7's sizeof(THGenerator) on LP64")
    local expected = { g:normal(), g:normal(), g:uniform(), g:normal() }
    local h = random.Generator()
    h:setState(st)
    expect.eq(h:initialSeed(), 42)
    for i, e in ipairs({ h:normal(), h:normal(), h:uniform(), h:normal() }) do
      expect_exact(e, expected[i], "draw " .. i)
    end
    expect.eq(h:getState(), g:getState(), "states agree afterwards")
  end)

  it("lays the state out as Torch7's THGenerator", function()
    local g = random.Generator()
    g:manualSeed(-7)
    g:random()
    local st = ffi.new("luatorch_THGenerator")
    ffi.copy(st, g:getState(), 5048)
    expect.eq(st.the_initial_seed, 0xFFFFFFFFFFFFFFF9ULL, "seed as unsigned long")
    expect.eq(st.left, 624)
    expect.eq(tonumber(st.next), 1)
    expect.eq(st.seeded, 1)
    expect.eq(st.normal_is_valid, 0)
  end)

  it("rejects states of the wrong size or shape, naming the problem", function()
    local g = random.Generator()
    expect.error(function() g:setState("abc") end,
      "RNG state is wrong size: expected 5048 bytes, got 3")
    expect.error(function() g:setState(42) end, "RNG state must be a string")
    local st = ffi.new("luatorch_THGenerator")
    ffi.copy(st, g:getState(), 5048)
    st.left = 0
    expect.error(function() g:setState(ffi.string(st, 5048)) end, "Invalid RNG state")
  end)
end)
