-- optim.rprop(opfunc, x [, config] [, state]) -> x, {f(x) before each of the niter steps}
-- Resilient propagation (Riedmiller): each coordinate keeps its own step size, multiplied by
-- etaplus (1.2) when the gradient kept its sign since the last step, by etaminus (0.5) when
-- it flipped (and that coordinate's gradient is then taken as 0), clamped to
-- [stepsizemin (1e-6), stepsizemax (50)]; x -= sign(grad) .* stepsize.
-- config: stepsize (0.1, the initial step), etaplus, etaminus, stepsizemax, stepsizemin,
-- niter (1). state (defaults to config): delta, stepsize, sign and the masks.
local torch = require "torch"
local optim = require "optim.env"

function optim.rprop(opfunc, x, config, state)
  if config == nil and state == nil then
    print("no state table RPROP initializing")
  end
  config = config or {}
  state = state or config
  local stepsize = config.stepsize or 0.1
  local etaplus = config.etaplus or 1.2
  local etaminus = config.etaminus or 0.5
  local stepsizemax = config.stepsizemax or 50.0
  local stepsizemin = config.stepsizemin or 1e-06
  local niter = config.niter or 1

  local history = {}
  for _ = 1, niter do
    local fx, dfdx = opfunc(x)
    if not state.delta then
      -- Torch7 kept the per-coordinate step sizes in the state table under `stepsize`
      state.delta = dfdx.new(dfdx:size()):zero()
      state.stepsize = dfdx.new(dfdx:size()):fill(stepsize)
      state.sign = dfdx.new(dfdx:size())
      state.psign = torch.ByteTensor(dfdx:size())
      state.nsign = torch.ByteTensor(dfdx:size())
      state.zsign = torch.ByteTensor(dfdx:size())
      state.dminmax = torch.ByteTensor(dfdx:size())
    end
    -- did the gradient keep its sign since the last step?
    torch.cmul(state.sign, dfdx, state.delta)
    torch.sign(state.sign, state.sign)
    state.sign.gt(state.psign, state.sign, 0)
    state.sign.lt(state.nsign, state.sign, 0)
    state.sign.eq(state.zsign, state.sign, 0)
    state.sign[state.psign] = etaplus
    state.sign[state.nsign] = etaminus
    state.sign[state.zsign] = 1
    state.stepsize:cmul(state.sign)
    state.stepsize.gt(state.dminmax, state.stepsize, stepsizemax)
    state.stepsize[state.dminmax] = stepsizemax
    state.stepsize.lt(state.dminmax, state.stepsize, stepsizemin)
    state.stepsize[state.dminmax] = stepsizemin
    -- after a sign flip that coordinate rests for a step
    dfdx[state.nsign] = 0
    torch.sign(state.sign, dfdx)
    x:addcmul(-1, state.sign, state.stepsize)
    state.delta:copy(dfdx)
    history[#history + 1] = fx
  end
  return x, history
end

return optim.rprop
