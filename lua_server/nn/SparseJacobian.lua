-- nn.SparseJacobian: nn.Jacobian's checks for modules whose input is a sparse nnz x 2 tensor
-- of (index, value) rows, such as nn.SparseLinear: only the value column is perturbed, and
-- the gradient read back is the gradInput's value column. Same API as nn.Jacobian.
local torch = require "torch"
nn = nn or {}  -- luacheck: ignore
require "nn.Jacobian"
local Jacobian = nn.Jacobian

local SparseJacobian = {}
nn.SparseJacobian = SparseJacobian

local PERTURBATION = 1e-6

local function values(input) return input:select(2, 2) end

local function fillUniform(t, minval, maxval)
  t:copy(torch.rand(t:nElement()):mul(maxval - minval):add(minval))
end

-- d output / d value_j from backward, one row per nonzero (or per parameter element)
function SparseJacobian.backward(module, input, param, dparam)
  if param then return Jacobian.backward(module, input, param, dparam) end
  module:forward(input)
  local dout = module.output.new():resizeAs(module.output):zero()
  local sdout = dout:view(dout:nElement())
  local jacobian = torch.Tensor(input:size(1), dout:nElement()):zero()
  for i = 1, sdout:nElement() do
    sdout:zero()
    sdout[i] = 1
    module:zeroGradParameters()
    local din = module:updateGradInput(input, dout)
    module:accGradParameters(input, dout)
    jacobian:select(2, i):copy(values(din))
  end
  return jacobian
end

-- the same from central differences of forward
function SparseJacobian.forward(module, input, param)
  if param then return Jacobian.forward(module, input, param, PERTURBATION) end
  local v = values(input)
  local nout = module:forward(input):nElement()
  local jacobian = torch.Tensor(input:size(1), nout)
  local outa, outb = torch.Tensor(nout), torch.Tensor(nout)
  for i = 1, v:nElement() do
    local orig = v[i]
    v[i] = orig - PERTURBATION
    outa:copy(module:forward(input))
    v[i] = orig + PERTURBATION
    outb:copy(module:forward(input))
    v[i] = orig
    jacobian:select(1, i):copy(outb:add(-1, outa):div(2 * PERTURBATION))
  end
  return jacobian
end

SparseJacobian.backwardUpdate = Jacobian.backwardUpdate
SparseJacobian.forwardUpdate = Jacobian.forwardUpdate
SparseJacobian.testAllUpdate = Jacobian.testAllUpdate

function SparseJacobian.testJacobian(module, input, minval, maxval)
  fillUniform(values(input), minval or -2, maxval or 2)
  local jac_fprop = SparseJacobian.forward(module, input)
  local jac_bprop = SparseJacobian.backward(module, input)
  return (jac_fprop - jac_bprop):abs():max()
end

function SparseJacobian.testJacobianParameters(module, input, param, dparam, minval, maxval)
  minval, maxval = minval or -2, maxval or 2
  fillUniform(values(input), minval, maxval)
  fillUniform(param, minval, maxval)
  local jac_bprop = SparseJacobian.backward(module, input, param, dparam)
  local jac_fprop = SparseJacobian.forward(module, input, param)
  return (jac_fprop - jac_bprop):abs():max()
end

function SparseJacobian.testJacobianUpdateParameters(module, input, param, minval, maxval)
  minval, maxval = minval or -2, maxval or 2
  fillUniform(values(input), minval, maxval)
  fillUniform(param, minval, maxval)
  local params_bprop = SparseJacobian.backwardUpdate(module, input, param)
  local params_fprop = SparseJacobian.forwardUpdate(module, input, param, PERTURBATION)
  return (params_fprop - params_bprop):abs():max()
end

-- forward/backward of the module and of its copy through a file agree
function SparseJacobian.testIO(module, input, minval, maxval)
  return Jacobian.testIO(module, input, minval, maxval)
end

return SparseJacobian
