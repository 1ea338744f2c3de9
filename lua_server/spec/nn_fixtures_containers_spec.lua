-- Replays the Torch7 fixture cases of the container / wrapper / utility modules
-- (tests/fixtures/torch7/nn_modules, written by real Torch7 after manualSeed(123)): each
-- case runs its stored constructor, mode, setup and input code, forward, a gradOutput drawn
-- like the oracle's, and backward; outputs, gradients, parameters, case extras, errors and
-- the generator's position after every phase must match (1e-10 relative, Double).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
require "nn"
local ffi = require "ffi"
local dir = here .. "tests/fixtures/torch7/nn_modules/"
local TOL = 1e-10

local CASES = {
  "Bottle_2d", "Bottle_3d", "Bottle_4d", "Collapse_batch", "Collapse_nonbatch", "Constant_batch",
  "Constant_scalar", "Contiguous_contiguous", "Contiguous_noncontiguous", "Convert_bchw_bf",
  "Convert_bchw_bf_nonbatch", "Convert_bhwc_bchw", "Copy_double_to_float", "Copy_force_copy",
  "Copy_same_type", "CriterionTable", "Decorator", "DepthConcat_batch", "DepthConcat_nonbatch",
  "DontCast_castin_float", "DontCast_nocast", "Index_dim1", "Index_dim2", "LinearWeightNorm_batch",
  "LinearWeightNorm_nobias", "LinearWeightNorm_single", "MapTable_shared", "MapTable_unshared",
  "MaskedSelect", "MixtureTable_nonbatch_table", "MixtureTable_table", "MixtureTable_tensor",
  "ModuleCriterion_input_module", "ModuleCriterion_input_target_modules", "NaN_default",
  "NaN_error", "OneHot_double_1d", "OneHot_long", "PrintSize", "Profile", "WeightNorm_conv",
  "WeightNorm_fullconv_dim2", "WeightNorm_linear", "WeightNorm_linear_evaluate",
  "WhiteNoise_evaluate", "WhiteNoise_training", "ZeroGrad", "ZipTable", "ZipTableOneToMany",
}

local same  -- defined with the comparisons below

-- the module state a case's `extra` entry holds; the oracle took every extra after backward
-- (so weight_after_forward shows what backward left in the weight's storage)
local EXTRA = {
  weight_after_forward = function(m) return m.modules and m.modules[1].weight or m.weight end,
  gradWeight_module = function(m) return m.modules[1].gradWeight end,
  noise = function(m) return m.noise end,
}

local function checkExtras(c, m)
  for key, value in pairs(c.extra or {}) do
    expect.truthy(EXTRA[key], "extra " .. key .. " is checked")
    same(EXTRA[key](m), value, "extra " .. key)
  end
end

------------------------------------------------------------------- generator position
ffi.cdef [[
typedef struct { unsigned long seed; int left; int seeded; unsigned long next;
                 unsigned long state[624]; double nx, ny, nrho; int nvalid; } NNA_Gen;
]]
local function genOf(bytes) return ffi.cast("NNA_Gen*", torch.ByteTensor(bytes):data()) end

-- true when the generator sits `draws` 32-bit outputs after manualSeed(123), with a pending
-- normal exactly when `cached`; the generator is left where it was
local function rngAt(draws, cached)
  local saved = torch.getRNGState()
  local now = genOf(saved)
  torch.manualSeed(123)
  for _ = 1, draws do torch.random() end
  local ref = genOf(torch.getRNGState())
  local same = now.left == ref.left and now.next == ref.next and ((now.nvalid ~= 0) == cached)
  for i = 0, 623 do same = same and now.state[i] == ref.state[i] end
  torch.setRNGState(saved)
  return same
end

------------------------------------------------------------------- comparisons
function same(actual, expected, what)
  if torch.isTensor(expected) then
    expect.truthy(torch.isTensor(actual), what .. " is a tensor")
    expect.eq(torch.type(actual), torch.type(expected), what .. " type")
    expect.eq(table.concat(actual:size():totable(), "x"), table.concat(expected:size():totable(), "x"),
      what .. " size")
    if expected:nElement() == 0 then return end
    local a = actual:double():contiguous():view(-1)
    local e = expected:double():contiguous():view(-1)
    for i = 1, e:nElement() do
      local x, y = a[i], e[i]
      if not (x ~= x and y ~= y) then
        expect.truthy(math.abs(x - y) <= TOL * math.max(1, math.abs(y)),
          string.format("%s element %d: expected %.17g, got %.17g", what, i, y, x))
      end
    end
  elseif type(expected) == "table" then
    expect.eq(type(actual), "table", what .. " is a table")
    expect.eq(#actual, #expected, what .. " length")
    for k, v in pairs(expected) do same(actual[k], v, what .. "[" .. tostring(k) .. "]") end
  elseif type(expected) == "number" then
    expect.near(actual, expected, TOL, what)
  else
    expect.eq(actual, expected, what)
  end
end

local function clean(msg)
  return (tostring(msg):gsub("[^%s:]*%.lua:%d+: ", ""):gsub("\nstack traceback:.*$", ""))
end

local function run(code, vars)
  local f = loadstring("return " .. code) or assert(loadstring(code))
  setfenv(f, setmetatable(vars, { __index = _G }))
  return f()
end

local function randnLike(x)
  if torch.isTensor(x) then
    local g = torch.randn(x:size())
    if torch.type(x) ~= "torch.DoubleTensor" then g = g:type(torch.type(x)) end
    return g
  elseif type(x) == "table" then
    local t = {}
    for i, v in ipairs(x) do t[i] = randnLike(v) end
    return t
  end
  return 1
end

------------------------------------------------------------------- one case
local function replay(c)
  local function phase(name)
    local tr = c.rng_trace[name]
    expect.truthy(rngAt(tr.mt_draws, tr.normal_cached),
      string.format("generator after %s at %d draws (pending normal: %s)", name, tr.mt_draws,
        tostring(tr.normal_cached)))
  end
  torch.manualSeed(123)
  local m = run(c.ctor, {})
  phase("ctor")
  if c.kind == "module" then
    if c.mode == "evaluate" then m:evaluate() else m:training() end
  end
  if c.setup then run(c.setup, { m = m, c = m }) end
  if c.kind == "module" then
    local params = m:parameters()
    if params and #params > 0 then
      m:zeroGradParameters()
      same(params, c.params, "params")
    end
  end
  phase("setup")
  local input = run(c.input_code, { m = m, c = m })
  same(input, c.input, "input")
  phase("input")
  local target
  if c.target_code then
    target = run(c.target_code, { m = m, c = m, input = input })
    phase("target")
  end
  if c.forward_error then
    local ok, err = pcall(function() return m:forward(input, target) end)
    expect.truthy(not ok, "forward raises")
    expect.eq(clean(err), c.forward_error, "forward error")
    return
  end
  local output = m:forward(input, target)
  same(output, c.output, "output")
  phase("forward")
  local gradOutput
  if c.kind == "module" then
    gradOutput = randnLike(output)
    phase("gradOutput")
  end
  if c.backward_error then
    local ok, err = pcall(function() return m:backward(input, gradOutput) end)
    expect.truthy(not ok, "backward raises")
    expect.eq(clean(err), c.backward_error, "backward error")
    return
  end
  local gradInput = c.kind == "module" and m:backward(input, gradOutput) or m:backward(input, target)
  same(gradInput, c.gradInput, "gradInput")
  phase("backward")
  if c.gradParams then
    local _, gradParams = m:parameters()
    same(gradParams, c.gradParams, "gradParams")
  end
  checkExtras(c, m)
end

describe("Torch7 fixtures: containers, wrappers, utilities", function()
  for _, name in ipairs(CASES) do
    it(name, function()
      local c = torch.load(dir .. name .. ".t7")
      -- Profile and PrintSize print; keep the runner's output readable
      local print_ = print
      _G.print = function() end
      local ok, err = pcall(replay, c)
      _G.print = print_
      if not ok then error(err, 0) end
    end)
  end
end)
