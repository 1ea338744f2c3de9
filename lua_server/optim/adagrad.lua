-- optim.adagrad(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- AdaGrad in torch/optim's order: paramVariance += g.*g ; paramStd = sqrt(paramVariance)
-- x = x - clr * g ./ (paramStd + 1e-10), clr = learningRate / (1 + evalCounter*lrd).
-- config: learningRate (1e-3), learningRateDecay (0), weightDecay (0).
-- state (defaults to config): evalCounter, paramVariance, paramStd.
local torch = require "torch"
local optim = require "optim.env"

function optim.adagrad(opfunc, x, config, state)
  if config == nil and state == nil then
    print("no state table, ADAGRAD initializing")
  end
  config = config or {}
  state = state or config
  local lr = config.learningRate or 1e-3
  local lrd = config.learningRateDecay or 0
  local wd = config.weightDecay or 0
  state.evalCounter = state.evalCounter or 0
  local nevals = state.evalCounter

  local fx, dfdx = opfunc(x)

  if wd ~= 0 then
    dfdx:add(wd, x)
  end

  local clr = lr / (1 + nevals * lrd)

  if not state.paramVariance then
    state.paramVariance = torch.Tensor():typeAs(x):resizeAs(dfdx):zero()
    state.paramStd = torch.Tensor():typeAs(x):resizeAs(dfdx)
  end
  state.paramVariance:addcmul(1, dfdx, dfdx)
  state.paramStd:resizeAs(state.paramVariance):copy(state.paramVariance):sqrt()
  x:addcdiv(-clr, dfdx, state.paramStd:add(1e-10))

  state.evalCounter = state.evalCounter + 1
  return x, { fx }
end

return optim.adagrad
