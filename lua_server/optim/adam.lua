-- optim.adam(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- Adam (Kingma & Ba, arXiv:1412.6980) in torch/optim's arithmetic order:
--   m = beta1*m + (1-beta1)*g ; v = beta2*v + (1-beta2)*g.*g ; denom = sqrt(v) + epsilon
--   x = x - clr*sqrt(1-beta2^t)/(1-beta1^t) * m ./ denom,  clr = lr / (1 + (t-1)*lrd)
-- config: learningRate (1e-3), learningRateDecay (0), beta1 (0.9), beta2 (0.999),
-- epsilon (1e-8), weightDecay (0). state (defaults to config): t, m, v, denom.
local optim = require "optim.env"

local sqrt = math.sqrt

function optim.adam(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local lr = config.learningRate or 0.001
  local lrd = config.learningRateDecay or 0
  local beta1 = config.beta1 or 0.9
  local beta2 = config.beta2 or 0.999
  local epsilon = config.epsilon or 1e-8
  local wd = config.weightDecay or 0

  local fx, dfdx = opfunc(x)

  if wd ~= 0 then
    dfdx:add(wd, x)
  end

  state.t = state.t or 0
  state.m = state.m or x.new(dfdx:size()):zero()      -- moving average of the gradient
  state.v = state.v or x.new(dfdx:size()):zero()      -- ... and of its square
  state.denom = state.denom or x.new(dfdx:size()):zero()

  local clr = lr / (1 + state.t * lrd)
  state.t = state.t + 1

  state.m:mul(beta1):add(1 - beta1, dfdx)
  state.v:mul(beta2):addcmul(1 - beta2, dfdx, dfdx)
  state.denom:copy(state.v):sqrt():add(epsilon)

  local biasCorrection1 = 1 - beta1 ^ state.t
  local biasCorrection2 = 1 - beta2 ^ state.t
  local stepSize = clr * sqrt(biasCorrection2) / biasCorrection1
  x:addcdiv(-stepSize, state.m, state.denom)

  return x, { fx }
end

return optim.adam
