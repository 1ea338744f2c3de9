-- optim.rmsprop(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- RMSprop in torch/optim's order: m = alpha*m + (1-alpha)*g.*g ; tmp = sqrt(m) + epsilon
-- x = x - learningRate * g ./ tmp.
-- config: learningRate (1e-2), alpha (0.99), epsilon (1e-8), weightDecay (0),
-- initialMean (0, the starting value of m). state (defaults to config): m, tmp.
local torch = require "torch"
local optim = require "optim.env"

function optim.rmsprop(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local lr = config.learningRate or 1e-2
  local alpha = config.alpha or 0.99
  local epsilon = config.epsilon or 1e-8
  local wd = config.weightDecay or 0
  local mfill = config.initialMean or 0

  local fx, dfdx = opfunc(x)

  if wd ~= 0 then
    dfdx:add(wd, x)
  end

  if not state.m then
    state.m = torch.Tensor():typeAs(x):resizeAs(dfdx):fill(mfill)
    state.tmp = torch.Tensor():typeAs(x):resizeAs(dfdx)
  end

  state.m:mul(alpha)
  state.m:addcmul(1.0 - alpha, dfdx, dfdx)

  state.tmp:sqrt(state.m):add(epsilon)
  x:addcdiv(-lr, dfdx, state.tmp)

  return x, { fx }
end

return optim.rmsprop
