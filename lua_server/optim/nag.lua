-- optim.nag(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- SGD with Nesterov's accelerated gradient as in Sutskever et al., ICML 2013, in
-- torch/optim's order: the gradient is taken at x + momentum*dfdx, then
--   dfdx = momentum*dfdx - clr*g ; x = x_old + dfdx,  clr = lr / (1 + evalCounter*lrd)
-- config: learningRate (1e-3), learningRateDecay (0), weightDecay (0), momentum (0.9,
-- must be positive), learningRates (tensor). state (defaults to config): evalCounter,
-- x_copy, dfdx, deltaParameters.
local torch = require "torch"
local optim = require "optim.env"

local error = error

function optim.nag(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local lr = config.learningRate or 1e-3
  local lrd = config.learningRateDecay or 0
  local wd = config.weightDecay or 0
  local mom = config.momentum or 0.9
  local lrs = config.learningRates
  state.evalCounter = state.evalCounter or 0
  local nevals = state.evalCounter

  if mom <= 0 then
    error("optim.nag: Momentum must be positive for Nesterov Accelerated Gradient", 2)
  end

  -- (1) step along the momentum first, then take the gradient there
  if not state.x_copy then
    state.x_copy = x:clone()
  else
    state.x_copy:resizeAs(x):copy(x)
  end
  if state.dfdx then
    x:add(mom, state.dfdx)
  end
  local fx, dfdx = opfunc(x)

  -- (2) weight decay
  if wd ~= 0 then
    dfdx:add(wd, x)
  end

  -- (3) learning rate decay (annealing)
  local clr = lr / (1 + nevals * lrd)

  -- (4) momentum
  if not state.dfdx then
    state.dfdx = torch.Tensor():typeAs(dfdx):resizeAs(dfdx):fill(0)
  else
    state.dfdx:mul(mom)
  end

  -- (5) update, with one learning rate or one per parameter
  if lrs then
    if not state.deltaParameters then
      state.deltaParameters = torch.Tensor():typeAs(x):resizeAs(dfdx)
    end
    state.deltaParameters:copy(lrs):cmul(dfdx)
    state.dfdx:add(-clr, state.deltaParameters)
  else
    state.dfdx:add(-clr, dfdx)
  end
  state.x_copy:add(state.dfdx)
  x:copy(state.x_copy)

  state.evalCounter = state.evalCounter + 1
  return x, { fx }
end

return optim.nag
