-- Replays the real Torch7's recorded nn cases for the activations, linear/distance/table
-- modules and criterions of tests/fixtures/torch7/nn_modules/ (README there): after
-- manualSeed(123) each case runs its stored constructor, setup and input code, forward,
-- gradOutput and backward, and every tensor must match Torch7's within 1e-10 relative;
-- the generator must sit where Torch7's did after every phase.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local lfs = require "lfs"
local random = require "torch.random"
require "nn"

local DIR = here .. "tests/fixtures/torch7/nn_modules/"
local TOL = 1e-10

-- the cases of this family, by class name
local CLASSES = {
  "SoftMin", "SoftShrink", "HardShrink", "TanhShrink", "RReLU", "CReLU", "GatedLinearUnit",
  "Maxout", "SpatialLogSoftMax", "PartialLinear", "SparseLinear", "IndexLinear", "Kmeans",
  "CAddTensorTable", "CMaxTable", "CMinTable", "MM", "MV", "DotProduct", "Cosine",
  "CosineDistance", "PairwiseDistance", "WeightedEuclidean", "PixelShuffle",
  "LayerNormalization", "ClassSimplexCriterion", "SpatialAutoCropMSECriterion",
  "SoftMarginCriterion", "MultiLabelSoftMarginCriterion", "L1HingeEmbeddingCriterion",
  "L1Cost", "L1Penalty", "WeightedMSECriterion", "DistanceRatioCriterion",
}

-- where a case's `extra` entries live on our module (default: the field of that name)
local EXTRA = {
  embedded_target = function(m) return m._target end,
  running_keys = function(m) return m.running.keys[1] end,
  running_gradWeight = function(m) return m.running.gradWeight[1] end,
  weight_after_forward = function(m, phase) return phase.weight_after_forward end,
  weight_after_init = function(m, phase) return phase.weight_after_init end,
}

-- a, b: numbers, tensors or nested tables of them; every leaf within TOL relative
local function compare(a, b, what)
  if type(b) == "number" then
    expect.near(a, b, TOL, what)
  elseif torch.isTensor(b) then
    expect.truthy(torch.isTensor(a), what .. " is a tensor (got " .. type(a) .. ")")
    expect.eq(table.concat(a:size():totable(), "x"), table.concat(b:size():totable(), "x"), what .. " size")
    local av = a:contiguous():view(math.max(a:nElement(), 1))
    local bv = b:contiguous():view(math.max(b:nElement(), 1))
    for i = 1, b:nElement() do expect.near(tonumber(av[i]), tonumber(bv[i]), TOL, what .. "[" .. i .. "]") end
  elseif type(b) == "table" then
    expect.eq(type(a), "table", what .. " is a table")
    expect.eq(#a, #b, what .. " length")
    for i = 1, #b do compare(a[i], b[i], what .. "." .. i) end
  else
    expect.eq(a, b, what)
  end
end

-- the reference generator advanced in step with the fixture's rng_trace
local function rngChecker(trace)
  local ref = random.Generator()
  ref:manualSeed(123)
  local drawn = 0
  return function(phase)
    local want = trace[phase]
    if not want then return end
    for _ = drawn + 1, want.mt_draws do ref:random() end
    drawn = want.mt_draws
    local g, r = random.default.st, ref.st
    local same = g.left == r.left and g.next == r.next
    for i = 0, 623 do if g.state[i] ~= r.state[i] then same = false; break end end
    expect.truthy(same, "generator after " .. phase .. " is at Torch7's draw " .. want.mt_draws)
    expect.eq(g.normal_is_valid == 1, want.normal_cached, "cached normal after " .. phase)
  end
end

local function run(code, env, expression)
  local src = (expression and not code:find("return", 1, true)) and ("return " .. code) or code
  local chunk = assert(loadstring(src))
  setfenv(chunk, setmetatable(env, { __index = _G }))
  return chunk()
end

local function randnLike(x)
  if torch.isTensor(x) then
    local g = torch.randn(x:size())
    if torch.type(x) ~= "torch.DoubleTensor" then g = g:type(torch.type(x)) end
    return g
  end
  local out = {}
  for i = 1, #x do out[i] = randnLike(x[i]) end
  return out
end

local function replayModule(t, check)
  local m = run(t.ctor, {}, true)
  check("ctor")
  if t.mode == "evaluate" then m:evaluate() else m:training() end
  if t.setup then run(t.setup, { m = m }) end
  check("setup")
  m:zeroGradParameters()
  if t.params then compare((m:parameters()), t.params, "params") end
  local input = run(t.input_code, {}, true)
  compare(input, t.input, "input")
  check("input")
  local phase = {}
  if t.after_input then
    run(t.after_input, { m = m, input = input })
    phase.weight_after_init = m.weight:clone()
    check("afterInput")
  end
  if t.forward_error then
    expect.error(function() m:forward(input) end, t.forward_error)
    return
  end
  compare(m:forward(input), t.output, "output")
  phase.weight_after_forward = m.weight and m.weight:clone()
  check("forward")
  local gradOutput = run(t.gradOutput_code, { output = m.output, randnLike = randnLike }, true)
  compare(gradOutput, t.gradOutput, "gradOutput")
  check("gradOutput")
  if t.backward_error then
    expect.error(function() m:backward(input, gradOutput) end, t.backward_error)
    return
  end
  compare(m:backward(input, gradOutput), t.gradInput, "gradInput")
  check("backward")
  if t.gradParams then compare(select(2, m:parameters()), t.gradParams, "gradParams") end
  for key, value in pairs(t.extra or {}) do
    local get = EXTRA[key] or function(mod) return mod[key] end
    compare(get(m, phase), value, "extra." .. key)
  end
end

local function replayCriterion(t, check)
  local c = run(t.ctor, {}, true)
  check("ctor")
  if t.setup then run(t.setup, { c = c }) end
  check("setup")
  local input = run(t.input_code, {}, true)
  compare(input, t.input, "input")
  check("input")
  local target = t.target_code and run(t.target_code, {}, true)
  if t.target_code then compare(target, t.target, "target") end
  check("target")
  compare(c:forward(input, target), t.output, "loss")
  check("forward")
  local backTarget = target
  if t.backward_target_code then backTarget = run(t.backward_target_code, { target = target }, true) end
  compare(c:backward(input, backTarget), t.gradInput, "gradInput")
  check("backward")
  for key, value in pairs(t.extra or {}) do
    local get = EXTRA[key] or function(mod) return mod[key] end
    compare(get(c, {}), value, "extra." .. key)
  end
end

local files = {}
for name in lfs.dir(DIR) do
  local class = name:match("^(%w+)%.t7$") or name:match("^(%w+)_[%w_]+%.t7$")
  for _, c in ipairs(CLASSES) do
    if class == c then files[#files + 1] = name end
  end
end
table.sort(files)

describe("Torch7's recorded cases: activations, linear/distance/table modules, criterions", function()
  it("finds every case of the family", function()
    expect.eq(#files, 81, "case files")
  end)
  for _, name in ipairs(files) do
    it(name, function()
      local t = torch.load(DIR .. name)
      local default = torch.getdefaulttensortype()
      torch.setdefaulttensortype("torch.DoubleTensor")
      torch.manualSeed(123)
      local check = rngChecker(t.rng_trace)
      check("start")
      local ok, err = pcall(t.kind == "criterion" and replayCriterion or replayModule, t, check)
      torch.setdefaulttensortype(default)
      if not ok then error(err, 0) end
    end)
  end
end)
