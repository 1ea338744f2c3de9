-- optim.checkgrad(opfunc, x [, eps]) -> diff, dC, dC_est
-- Compares opfunc's gradient dC with central differences (f(x+eps) - f(x-eps)) / 2eps,
-- coordinate by coordinate (eps 1e-7); diff = |dC - dC_est| / |dC + dC_est|.
local torch = require "torch"
local optim = require "optim.env"

function optim.checkgrad(opfunc, x, eps)
  local _, dC = opfunc(x)
  dC:resize(x:size())
  eps = eps or 1e-7
  local dC_est = torch.Tensor():typeAs(dC):resizeAs(dC)
  for i = 1, dC:size(1) do
    x[i] = x[i] + eps
    local C1 = opfunc(x)
    x[i] = x[i] - 2 * eps
    local C2 = opfunc(x)
    x[i] = x[i] + eps
    dC_est[i] = (C1 - C2) / (2 * eps)
  end
  local diff = torch.norm(dC - dC_est) / torch.norm(dC + dC_est)
  return diff, dC, dC_est
end

return optim.checkgrad
