-- optim.sgd(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- Stochastic gradient descent as torch/optim does it, step for step (so results match
-- Torch7's to rounding): weight decay is added to the gradient in place, then momentum
-- (with dampening, optionally Nesterov), then the annealed learning rate
-- clr = learningRate / (1 + evalCounter * learningRateDecay), optionally per parameter.
-- config: learningRate (1e-3), learningRateDecay (0), weightDecay (0), weightDecays
-- (tensor), momentum (0), dampening (= momentum), nesterov (false), learningRates (tensor).
-- state (defaults to config): evalCounter, dfdx (momentum buffer), decayParameters,
-- deltaParameters.
local torch = require "torch"
local optim = require "optim.env"

local error = error

function optim.sgd(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local lr = config.learningRate or 1e-3
  local lrd = config.learningRateDecay or 0
  local wd = config.weightDecay or 0
  local mom = config.momentum or 0
  local damp = config.dampening or mom
  local nesterov = config.nesterov or false
  local lrs = config.learningRates
  local wds = config.weightDecays
  state.evalCounter = state.evalCounter or 0
  local nevals = state.evalCounter
  if nesterov and not (mom > 0 and damp == 0) then
    error("optim.sgd: Nesterov momentum requires a momentum and zero dampening", 2)
  end

  -- (1) evaluate f(x) and df/dx
  local fx, dfdx = opfunc(x)

  -- (2) weight decay, single or per parameter (Torch7 adds it to the caller's gradient)
  if wd ~= 0 then
    dfdx:add(wd, x)
  elseif wds then
    if not state.decayParameters then
      state.decayParameters = torch.Tensor():typeAs(x):resizeAs(dfdx)
    end
    state.decayParameters:copy(wds):cmul(x)
    dfdx:add(state.decayParameters)
  end

  -- (3) momentum: the first step starts the buffer at the gradient itself
  if mom ~= 0 then
    if not state.dfdx then
      state.dfdx = torch.Tensor():typeAs(dfdx):resizeAs(dfdx):copy(dfdx)
    else
      state.dfdx:mul(mom):add(1 - damp, dfdx)
    end
    if nesterov then
      dfdx:add(mom, state.dfdx)
    else
      dfdx = state.dfdx
    end
  end

  -- (4) learning rate decay (annealing)
  local clr = lr / (1 + nevals * lrd)

  -- (5) update, with one learning rate or one per parameter
  if lrs then
    if not state.deltaParameters then
      state.deltaParameters = torch.Tensor():typeAs(x):resizeAs(dfdx)
    end
    state.deltaParameters:copy(lrs):cmul(dfdx)
    x:add(-clr, state.deltaParameters)
  else
    x:add(-clr, dfdx)
  end

  state.evalCounter = state.evalCounter + 1
  return x, { fx }
end

return optim.sgd
