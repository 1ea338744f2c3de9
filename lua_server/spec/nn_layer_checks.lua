-- The checks every Spatial/Temporal/Volumetric layer spec runs on each class: nn.Jacobian
-- for the input and each parameter (< 1e-5, Double), :float() and back, clearState, a .t7
-- round trip, and printing. Loaded with dofile from a spec (`expect` is the runner's global).
require "nn"
local J = nn.Jacobian
local TOL = 1e-5

local C = {}

local function max_diff(a, b)
  return (a:double() - b:double()):abs():max()
end
C.max_diff = max_diff

-- minval/maxval: the range nn.Jacobian draws inputs from (default −2 .. 2)
function C.jacobian(m, x, minval, maxval)
  local err = J.testJacobian(m, x, minval, maxval)
  expect.truthy(err < TOL, tostring(m) .. ": Jacobian error " .. err)
  for _, p in ipairs({ { "weight", "gradWeight" }, { "bias", "gradBias" } }) do
    if m[p[1]] then
      local perr = J.testJacobianParameters(m, x, m[p[1]], m[p[2]], minval, maxval)
      expect.truthy(perr < TOL, tostring(m) .. ": " .. p[1] .. " Jacobian error " .. perr)
    end
  end
end

-- float conversion, clearState, .t7 round trip and printing for module m on input x (m is
-- left in Double); printed is the expected tostring(m); random: forward draws (after
-- clearState only the size must repeat)
function C.lifecycle(m, x, printed, random)
  local y = m:forward(x):clone()
  if printed then expect.eq(tostring(m), printed, "prints as Torch7") end

  local loaded = torch.deserialize(torch.serialize(m))
  expect.eq(torch.type(loaded), torch.type(m), ".t7 round trip keeps the class")
  expect.eq(max_diff(loaded:forward(x), y), 0, ".t7 round trip computes the same output")
  expect.eq(tostring(loaded), tostring(m), ".t7 round trip prints the same")

  expect.truthy(m:clearState() == m, "clearState returns the module")
  expect.eq(m.output:nElement(), 0, "clearState empties output")
  if random then
    expect.truthy(m:forward(x):isSameSizeAs(y), "forward after clearState")
    y = m.output:clone()
  else
    expect.eq(max_diff(m:forward(x), y), 0, "forward after clearState")
  end

  local f = m:clone():float()
  local yf = f:forward(x:float())
  expect.eq(torch.type(yf), "torch.FloatTensor", ":float() computes in Float")
  expect.truthy(max_diff(yf, y) < 1e-4 * math.max(1, y:abs():max()), ":float() output matches Double")
  local gf = f:backward(x:float(), yf:clone():fill(1))
  expect.eq(torch.type(gf), "torch.FloatTensor", ":float() gradInput is Float")
  expect.eq(torch.type(f:type("torch.DoubleTensor"):forward(x)), "torch.DoubleTensor", ":type back to Double")
end

return C
