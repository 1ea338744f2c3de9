-- nn.Jacobian: finite-difference checks of a module's backward pass, with Torch7's API.
-- testJacobian(module, input [,minval=-2, maxval=2, perturbation=1e-6]) fills input with
-- U(minval, maxval), builds the Jacobian d output / d input twice (central differences of
-- forward, and one updateGradInput per output element) and returns the largest difference.
-- testJacobianParameters does the same for a parameter tensor and its gradient,
-- testJacobianUpdateParameters for accUpdateGradParameters.
local torch = require "torch"
nn = nn or {}  -- luacheck: ignore

local Jacobian = {}
nn.Jacobian = Jacobian

-- a 1-D view sharing t's elements (perturbations must reach the tensor the module reads)
local function flat(t, fname, what)
  if not t:isContiguous() then
    error(string.format("nn.Jacobian.%s: %s must be contiguous", fname, what), 3)
  end
  return t:view(t:nElement())
end

-- Jacobian from backward: row j is d output_i / d param_j for every output element i,
-- taken from gradInput (param == nil) or from dparam after accGradParameters.
function Jacobian.backward(module, input, param, dparam)
  local doparam = param ~= nil
  param = param or input
  module:forward(input)
  local dout = module.output.new():resizeAs(module.output):zero()
  local sdout = dout:view(dout:nElement())
  local jacobian = torch.Tensor(param:nElement(), dout:nElement()):zero()
  for i = 1, sdout:nElement() do
    sdout:zero()
    sdout[i] = 1
    module:zeroGradParameters()
    local din = module:updateGradInput(input, dout)
    module:accGradParameters(input, dout)
    if doparam then
      jacobian:select(2, i):copy(dparam)
    else
      jacobian:select(2, i):copy(din)
    end
  end
  return jacobian
end

-- Parameters after one accUpdateGradParameters(lr=1) per output element, restored in between.
function Jacobian.backwardUpdate(module, input, param)
  module:forward(input)
  local dout = module.output.new():resizeAs(module.output):zero()
  local sdout = dout:view(dout:nElement())
  local jacobian = torch.Tensor(param:nElement(), dout:nElement()):zero()
  local params = module:parameters()
  local origparams = {}
  for j = 1, #params do origparams[j] = params[j]:clone() end
  for i = 1, sdout:nElement() do
    for j = 1, #params do params[j]:copy(origparams[j]) end
    sdout:zero()
    sdout[i] = 1
    module:updateGradInput(input, dout)
    module:accUpdateGradParameters(input, dout, 1)
    jacobian:select(2, i):copy(param)
  end
  for j = 1, #params do params[j]:copy(origparams[j]) end
  return jacobian
end

-- Jacobian from central differences of forward with respect to param (default: input).
function Jacobian.forward(module, input, param, perturbation)
  param = param or input
  perturbation = perturbation or 1e-6
  local sin = flat(param, "forward", "the perturbed tensor")
  local nout = module:forward(input):nElement()
  local jacobian = torch.Tensor(param:nElement(), nout)
  local outa, outb = torch.Tensor(nout), torch.Tensor(nout)
  for i = 1, sin:nElement() do
    local orig = sin[i]
    sin[i] = orig - perturbation
    outa:copy(module:forward(input))
    sin[i] = orig + perturbation
    outb:copy(module:forward(input))
    sin[i] = orig
    outb:add(-1, outa):div(2 * perturbation)
    jacobian:select(1, i):copy(outb)
  end
  return jacobian
end

-- What accUpdateGradParameters should produce: param - d output / d param, per output.
function Jacobian.forwardUpdate(module, input, param, perturbation)
  local jacobian = Jacobian.forward(module, input, param, perturbation)
  local sin = flat(param, "forwardUpdate", "the parameter")
  for i = 1, sin:nElement() do
    jacobian:select(1, i):mul(-1):add(sin[i])
  end
  return jacobian
end

local function fill_uniform(t, minval, maxval)
  t:copy(torch.rand(t:nElement()):mul(maxval - minval):add(minval))
end

function Jacobian.testJacobian(module, input, minval, maxval, perturbation)
  minval, maxval = minval or -2, maxval or 2
  fill_uniform(input, minval, maxval)
  local jac_fprop = Jacobian.forward(module, input, input, perturbation)
  local jac_bprop = Jacobian.backward(module, input)
  return (jac_fprop - jac_bprop):abs():max()
end

function Jacobian.testJacobianParameters(module, input, param, dparam, minval, maxval, perturbation)
  minval, maxval = minval or -2, maxval or 2
  fill_uniform(input, minval, maxval)
  fill_uniform(param, minval, maxval)
  local jac_bprop = Jacobian.backward(module, input, param, dparam)
  local jac_fprop = Jacobian.forward(module, input, param, perturbation)
  return (jac_fprop - jac_bprop):abs():max()
end

function Jacobian.testJacobianUpdateParameters(module, input, param, minval, maxval, perturbation)
  minval, maxval = minval or -2, maxval or 2
  fill_uniform(input, minval, maxval)
  fill_uniform(param, minval, maxval)
  local params_bprop = Jacobian.backwardUpdate(module, input, param)
  local params_fprop = Jacobian.forwardUpdate(module, input, param, perturbation)
  return (params_fprop - params_bprop):abs():max()
end

-- Second derivatives of F = sum_k y_k^2 / 2 (y the module's output), whose Hessian with
-- respect to y is the identity: by the module's own diagonal-Hessian code (nn.hessian), and
-- from first derivatives as sum_k (dy_k/dx_i)^2, exact for layers linear in input and
-- weights. testDiagHessian* compare the two for the input, the weight or the bias.
function Jacobian.backwardDiagHessian(module, input, diagHessianParamName)
  module:forward(input)
  local ones = module.output.new():resizeAs(module.output):fill(1)
  if module.diagHessianWeight then module.diagHessianWeight:zero() end
  if module.diagHessianBias then module.diagHessianBias:zero() end
  module:updateDiagHessianInput(input, ones)
  module:accDiagHessianParameters(input, ones)
  return module[diagHessianParamName]
end

function Jacobian.linearModuleDiagHessian(module, input, gradParamName)
  module:forward(input)
  local gradOutput = module.output.new():resizeAs(module.output):zero()
  local flatOut = gradOutput:view(gradOutput:nElement())
  local diagHessian
  for i = 1, flatOut:nElement() do
    flatOut:zero()
    flatOut[i] = 1
    if module.gradWeight then module.gradWeight:zero() end
    if module.gradBias then module.gradBias:zero() end
    module:updateGradInput(input, gradOutput)
    module:accGradParameters(input, gradOutput)
    local g = module[gradParamName]
    diagHessian = diagHessian or g.new():resize(g:nElement()):zero()
    diagHessian:addcmul(1, g:contiguous():view(g:nElement()), g:contiguous():view(g:nElement()))
  end
  return diagHessian
end

function Jacobian.testDiagHessian(module, input, gradParamName, diagHessianParamName, minval, maxval)
  fill_uniform(input, minval or -2, maxval or 2)
  module:initDiagHessianParameters()
  local h_bprop = Jacobian.backwardDiagHessian(module, input, diagHessianParamName)
  local h_linear = Jacobian.linearModuleDiagHessian(module, input, gradParamName)
  return (h_bprop:contiguous():view(h_bprop:nElement()) - h_linear):abs():max()
end

function Jacobian.testDiagHessianInput(module, input, minval, maxval)
  return Jacobian.testDiagHessian(module, input, "gradInput", "diagHessianInput", minval, maxval)
end

function Jacobian.testDiagHessianWeight(module, input, minval, maxval)
  return Jacobian.testDiagHessian(module, input, "gradWeight", "diagHessianWeight", minval, maxval)
end

function Jacobian.testDiagHessianBias(module, input, minval, maxval)
  return Jacobian.testDiagHessian(module, input, "gradBias", "diagHessianBias", minval, maxval)
end

-- forward/backward of a module and of its copy through a file agree: returns the two errors
function Jacobian.testIO(module, input, minval, maxval)
  minval, maxval = minval or -2, maxval or 2
  module:forward(input)
  local go = module.output:clone()
  fill_uniform(go, minval, maxval)
  module:zeroGradParameters()
  module:updateGradInput(input, go)
  module:accGradParameters(input, go)
  local fo, bo = module.output:clone(), module.gradInput:clone()

  assert(module:clearState() == module, "clearState did not return self")
  local f = torch.MemoryFile("rw"):binary()
  f:writeObject(module)
  f:seek(1)
  local m = f:readObject()
  f:close()
  m:forward(input)
  m:zeroGradParameters()
  m:updateGradInput(input, go)
  m:accGradParameters(input, go)
  local berr = bo:nElement() == 0 and 0 or (bo - m.gradInput):abs():max()
  return (fo - m.output):abs():max(), berr
end

-- Parameter updates agree four ways (accGradParameters + updateParameters,
-- accUpdateGradParameters, and both again on two modules sharing `weight`): returns a table
-- of error norms keyed by the method checked. weight/gradWeight are field names.
function Jacobian.testAllUpdate(module, input, weight, gradWeight)
  local lr = torch.uniform(0.1, 1)
  local errors = {}

  local maccgp = module:clone()
  local weightc = maccgp[weight]:clone()
  maccgp:forward(input)
  local gradOutput = torch.rand(maccgp.output:size())
  maccgp:zeroGradParameters()
  maccgp:updateGradInput(input, gradOutput)
  maccgp:accGradParameters(input, gradOutput)
  maccgp:updateParameters(lr)
  errors["accGradParameters"] = (weightc - maccgp[gradWeight] * lr - maccgp[weight]):norm()

  local maccugp = module:clone()
  maccugp:forward(input)
  maccugp:updateGradInput(input, gradOutput)
  maccugp:accUpdateGradParameters(input, gradOutput, lr)
  errors["accUpdateGradParameters"] = (maccugp[weight] - maccgp[weight]):norm()

  local expected = weightc - maccgp[gradWeight] * (lr * 2)
  local function shared(run)
    local m1, m2 = module:clone(), module:clone()
    m2:share(m1, weight)
    for _, m in ipairs { m1, m2 } do m:forward(input) end
    run(m1, m2)
    return (expected - m1[weight]):norm() + (expected - m2[weight]):norm()
  end
  errors["accGradParameters [shared]"] = shared(function(m1, m2)
    for _, m in ipairs { m1, m2 } do m:zeroGradParameters() end
    for _, m in ipairs { m1, m2 } do m:updateGradInput(input, gradOutput) end
    for _, m in ipairs { m1, m2 } do m:accGradParameters(input, gradOutput) end
    for _, m in ipairs { m1, m2 } do m:updateParameters(lr) end
  end)
  errors["accUpdateGradParameters [shared]"] = shared(function(m1, m2)
    for _, m in ipairs { m1, m2 } do m:updateGradInput(input, gradOutput) end
    for _, m in ipairs { m1, m2 } do m:accUpdateGradParameters(input, gradOutput, lr) end
  end)
  return errors
end

return Jacobian
