-- optim.adamax(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- AdaMax (Kingma & Ba, arXiv:1412.6980 sec. 7) in torch/optim's order:
--   m = beta1*m + (1-beta1)*g ; u = max(beta2*u, |g| + epsilon)
--   x = x - lr/(1-beta1^t) * m ./ u
-- config: learningRate (0.002), beta1 (0.9), beta2 (0.999), epsilon (1e-38),
-- weightDecay (0). state (defaults to config): t, m, u, max (the 2xN input of the max).
local torch = require "torch"
local optim = require "optim.env"

local unpack = unpack or table.unpack
local indices = torch.LongTensor()  -- scratch for the max's unused indices

function optim.adamax(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local lr = config.learningRate or 0.002
  local beta1 = config.beta1 or 0.9
  local beta2 = config.beta2 or 0.999
  local epsilon = config.epsilon or 1e-38
  local wd = config.weightDecay or 0

  local fx, dfdx = opfunc(x)

  if wd ~= 0 then
    dfdx:add(wd, x)
  end

  state.t = state.t or 0
  state.m = state.m or x.new(dfdx:size()):zero()
  state.u = state.u or x.new(dfdx:size()):zero()       -- weighted infinity norm
  state.max = state.max or x.new(2, unpack(dfdx:size():totable())):zero()
  state.t = state.t + 1

  state.m:mul(beta1):add(1 - beta1, dfdx)
  state.max[1]:copy(state.u):mul(beta2)
  state.max[2]:copy(dfdx):abs():add(epsilon)
  -- Torch7's state.u:max(state.max, 1): u takes the max over the two rows (keeping
  -- that dimension, as Torch7 does); the indices are a throwaway
  torch.max(state.u, indices, state.max, 1)

  local biasCorrection1 = 1 - beta1 ^ state.t
  local stepSize = lr / biasCorrection1
  x:addcdiv(-stepSize, state.m, state.u)

  return x, { fx }
end

return optim.adamax
