-- optim.adadelta(opfunc, x [, config] [, state]) -> x, {f(x) before the update}
-- ADADELTA (Zeiler, arXiv:1212.5701) in torch/optim's order:
--   paramVariance = rho*paramVariance + (1-rho)*g.*g ; paramStd = sqrt(paramVariance + eps)
--   delta = sqrt(accDelta + eps) ./ paramStd .* g ; x = x - delta
--   accDelta = rho*accDelta + (1-rho)*delta.*delta
-- config: rho (0.9), eps (1e-6), weightDecay (0).
-- state (defaults to config): evalCounter, paramVariance, paramStd, delta, accDelta.
local torch = require "torch"
local optim = require "optim.env"

function optim.adadelta(opfunc, x, config, state)
  if config == nil and state == nil then
    print("no state table, ADADELTA initializing")
  end
  config = config or {}
  state = state or config
  local rho = config.rho or 0.9
  local eps = config.eps or 1e-6
  local wd = config.weightDecay or 0
  state.evalCounter = state.evalCounter or 0

  local fx, dfdx = opfunc(x)

  if wd ~= 0 then
    dfdx:add(wd, x)
  end

  if not state.paramVariance then
    state.paramVariance = torch.Tensor():typeAs(x):resizeAs(dfdx):zero()
    state.paramStd = torch.Tensor():typeAs(x):resizeAs(dfdx):zero()
    state.delta = torch.Tensor():typeAs(x):resizeAs(dfdx):zero()
    state.accDelta = torch.Tensor():typeAs(x):resizeAs(dfdx):zero()
  end
  state.paramVariance:mul(rho):addcmul(1 - rho, dfdx, dfdx)
  state.paramStd:resizeAs(state.paramVariance):copy(state.paramVariance):add(eps):sqrt()
  state.delta:resizeAs(state.paramVariance):copy(state.accDelta):add(eps):sqrt()
    :cdiv(state.paramStd):cmul(dfdx)
  x:add(-1, state.delta)
  state.accDelta:mul(rho):addcmul(1 - rho, state.delta, state.delta)

  state.evalCounter = state.evalCounter + 1
  return x, { fx }
end

return optim.adadelta
