-- Replays the real Torch7's reference cases (tests/fixtures/torch7/nn_modules, README there)
-- for the Spatial, Temporal and Volumetric classes: after manualSeed(123) each case builds
-- the module from its ctor string, runs mode/setup/input/forward/gradOutput/backward in
-- Torch7's order, and must match the stored output, gradInput, parameters, their gradients,
-- extra state, errors and the generator's position after each phase (1e-10 relative).
require "nn"
local lfs = require "lfs"
local random = require "torch.random"

local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local DIR = here .. "tests/fixtures/torch7/nn_modules/"
local TOL = 1e-10
local MT_PERIOD = 624   -- the port counts draws within the current MT19937 block

local CLASSES = {}
for name in ([[SpatialSubSampling SpatialConvolutionLocal SpatialConvolutionMap
  SpatialFullConvolutionMap SpatialDepthWiseConvolution SpatialDilatedMaxPooling
  SpatialMaxUnpooling SpatialFractionalMaxPooling SpatialLPPooling SpatialAdaptiveAveragePooling
  SpatialSubtractiveNormalization SpatialDivisiveNormalization SpatialContrastiveNormalization
  SpatialCrossMapLRN SpatialUpSamplingBilinear UpSampling FeatureLPPooling TemporalSubSampling
  TemporalMaxPooling TemporalDynamicKMaxPooling TemporalRowConvolution VolumetricFullConvolution
  VolumetricDilatedConvolution VolumetricDilatedMaxPooling VolumetricFractionalMaxPooling
  VolumetricMaxUnpooling VolumetricAveragePooling VolumetricBatchNormalization
  VolumetricReplicationPadding VolumetricDropout]]):gmatch("%S+") do
  CLASSES[name] = true
end

-- Torch7 packs the volumetric max-pooling argmax as four bytes (offsets within the window)
-- in a long whose upper half it leaves uninitialised; ours are flat positions (see
-- docs/DIFFERENCES.md), so those indices are checked through the outputs they select.
local SKIP_EXTRA = {
  VolumetricDilatedMaxPooling = { indices = true },
  VolumetricMaxUnpooling = { pool_indices = true },
}

-- nn.tables arrives with another family's work; the cases need only these three
local function tables_standin()
  if nn.tables and nn.tables.full then return nn.tables end
  local T = {}
  function T.full(nin, nout)
    local t, p = torch.Tensor(nin * nout, 2), 1
    for j = 1, nout do for i = 1, nin do t[p][1], t[p][2], p = i, j, p + 1 end end
    return t
  end
  function T.oneToOne(n)
    local t = torch.Tensor(n, 2)
    for i = 1, n do t[i][1], t[i][2] = i, i end
    return t
  end
  function T.random(nin, nout, nto)
    local tbl = torch.Tensor(nto * nout, 2)
    local fi = torch.randperm(nin)
    local chunks, next_chunk = math.floor(nin / nto), 1
    local from = tbl:select(2, 1):unfold(1, nto, nto)
    local avail = fi:narrow(1, 1, chunks * nto):unfold(1, nto, nto)
    for i = 1, nout do
      from:select(1, i):copy(avail:select(1, next_chunk))
      next_chunk = next_chunk + 1
      if next_chunk - 1 == chunks then fi:copy(torch.randperm(nin)); next_chunk = 1 end
    end
    local to = tbl:select(2, 2):unfold(1, nto, nto)
    for i = 1, to:size(1) do to:select(1, i):fill(i) end
    return tbl
  end
  return T
end

local function close(actual, expected, what)
  if type(expected) == "number" then
    expect.near(actual, expected, TOL, what)
    return
  end
  expect.truthy(torch.isTensor(actual), what .. " is a tensor (got " .. torch.type(actual) .. ")")
  expect.eq(table.concat(actual:size():totable(), "x"), table.concat(expected:size():totable(), "x"),
    what .. " size")
  local a = actual:contiguous():view(-1)
  local e = expected:contiguous():view(-1)
  for i = 1, e:nElement() do
    expect.near(tonumber(a[i]), tonumber(e[i]), TOL, what .. " element " .. i)
  end
end

local function close_list(actual, expected, what)
  expect.eq(#actual, #expected, what .. " count")
  for i = 1, #expected do close(actual[i], expected[i], what .. "[" .. i .. "]") end
end

local function check_rng(case, phase)
  local want = case.rng_trace[phase]
  if not want then return end
  local g = random.default
  local pos = want.mt_draws == 0 and 0 or (want.mt_draws - 1) % MT_PERIOD + 1
  expect.eq(tonumber(g.st.next), pos, "generator position after " .. phase .. " (" .. want.mt_draws .. " draws)")
  expect.eq(g.st.normal_is_valid == 1, want.normal_cached, "cached normal after " .. phase)
end

local function strip(msg)
  return (tostring(msg):gsub("^[^:]*:%d+: ", ""))
end

local function replay(case)
  local extra = {}
  local env = setmetatable({ extra = extra }, { __index = _G })
  env.nn = setmetatable({ tables = tables_standin() }, { __index = nn })
  local function run(code, ret)
    local chunk = assert(loadstring(ret and ("return " .. code) or code, case.case))
    setfenv(chunk, env)
    return chunk()
  end

  torch.manualSeed(case.seed)
  check_rng(case, "start")
  local m = run(case.ctor, true)
  env.m = m
  check_rng(case, "ctor")
  if case.mode == "training" then m:training() else m:evaluate() end
  if case.setup then run(case.setup) end
  check_rng(case, "setup")
  if case.params then close_list(m:parameters(), case.params, "params") end
  m:zeroGradParameters()

  local input = case.input_code:find("return") and run(case.input_code) or run(case.input_code, true)
  close(input, case.input, "input as drawn")
  check_rng(case, "input")

  local ok, output = pcall(m.forward, m, input)
  if case.forward_error then
    expect.truthy(not ok, "forward raises")
    expect.eq(strip(output), case.forward_error, "forward error")
    return
  end
  assert(ok, output)
  close(output, case.output, "output")
  check_rng(case, "forward")

  local gradOutput = torch.randn(output:size())
  close(gradOutput, case.gradOutput, "gradOutput as drawn")
  check_rng(case, "gradOutput")

  local okb, gradInput = pcall(m.backward, m, input, gradOutput)
  if case.backward_error then
    expect.truthy(not okb, "backward raises")
    expect.eq(strip(gradInput), case.backward_error, "backward error")
    return
  end
  assert(okb, gradInput)
  close(gradInput, case.gradInput, "gradInput")
  check_rng(case, "backward")
  if case.gradParams then close_list(select(2, m:parameters()), case.gradParams, "gradParams") end

  local skip = SKIP_EXTRA[case.class] or {}
  for key, want in pairs(case.extra or {}) do
    if not skip[key] then
      local got = m[key]
      if got == nil and key:match("^pool_") then
        got = key == "pool_input" and extra.pool_input or m.pooling[key:sub(6)]
      end
      if torch.type(want) == "torch.LongTensor" then got, want = got:double(), want:double() end
      close(got, want, "extra." .. key)
    end
  end
end

local names = {}
for file in lfs.dir(DIR) do
  local class = file:match("^(%a+)[_%w]*%.t7$")
  if class and CLASSES[class] then names[#names + 1] = file end
end
table.sort(names)

describe("Torch7 reference cases: Spatial, Temporal and Volumetric modules", function()
  it("has the cases", function()
    expect.eq(#names, 75, "fixture files")
  end)
  for _, file in ipairs(names) do
    it(file, function()
      local default = torch.getdefaulttensortype()
      torch.setdefaulttensortype("torch.DoubleTensor")
      local ok, err = pcall(replay, torch.load(DIR .. file))
      torch.setdefaulttensortype(default)
      if not ok then error(err, 0) end
    end)
  end
end)
