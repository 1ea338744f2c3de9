-- optim's rprop, checkgrad, FistaLS, de and cmaes: hand-derived steps and known optima.
require "optim"

local function quadratic(center)
  return function(x)
    local d = x - center
    return d:dot(d), d * 2
  end
end

describe("optim.rprop", function()
  it("grows the step while the gradient keeps its sign and rests after a flip", function()
    local x = torch.Tensor({ 0 })
    local f = quadratic(torch.Tensor({ 0.15 }))
    local state = {}
    local seen = {}
    for _ = 1, 4 do
      local _, fx = optim.rprop(f, x, state)
      expect.eq(#fx, 1)
      seen[#seen + 1] = x[1]
    end
    -- steps: +0.1 (first), +0.12 (x1.2), none (sign flip, step x0.5 = 0.06), -0.06
    expect.near(seen[1], 0.1, 1e-15)
    expect.near(seen[2], 0.22, 1e-15)
    expect.near(seen[3], 0.22, 1e-15)
    expect.near(seen[4], 0.16, 1e-15)
    expect.near(state.stepsize[1], 0.06, 1e-15)
  end)

  it("runs niter steps in one call and reaches the minimum", function()
    local x = torch.Tensor({ 5, -3 })
    local config = { niter = 200, stepsize = 0.5 }
    local _, fx = optim.rprop(quadratic(torch.Tensor({ 1, 2 })), x, config)
    expect.eq(#fx, 200)
    expect.near(fx[1], 16 + 25, 1e-12)
    expect.near(x[1], 1, 1e-5)
    expect.near(x[2], 2, 1e-5)
  end)
end)

describe("optim.checkgrad", function()
  it("is near zero for a right gradient and 1/5 for a gradient off by 2x^2 vs 3x^2", function()
    local x = torch.Tensor({ 0.5, -1, 2 })
    local diff, dC, dC_est = optim.checkgrad(function(p)
      return torch.pow(p, 3):sum(), torch.pow(p, 2):mul(3)
    end, x)
    expect.truthy(diff < 1e-7, diff)
    expect.near(dC[2], 3, 1e-15)
    expect.near(dC_est[3], 12, 1e-6)
    expect.near(x[1], 0.5, 1e-15)  -- x is restored
    local bad = optim.checkgrad(function(p) return torch.pow(p, 3):sum(), torch.pow(p, 2):mul(2) end, x)
    expect.near(bad, 0.2, 1e-6)
  end)
end)

describe("optim.FistaLS", function()
  -- min 0.5 |x - b|^2 + |x|_1: the minimum is soft(b, 1) = {2, 0, 0}, F = 3.125
  local b = torch.Tensor({ 3, -0.5, 1 })
  local function f(x, mode)
    local d = x - b
    local value = 0.5 * d:dot(d)
    if mode == "dx" then return value, d end
    return value
  end
  local function g(x) return x:norm(1) end
  local function prox(x, L)
    x:apply(function(v)
      local t = 1 / L
      if v > t then return v - t elseif v < -t then return v + t end
      return 0
    end)
  end

  it("raises L by Lstep until the quadratic bound holds, then converges", function()
    local x = torch.Tensor(3):zero()
    local params = { doFistaUpdate = true, maxiter = 100 }
    local solution, history = optim.FistaLS(f, g, prox, x, params)
    -- the bound holds once L >= 1: 0.1 * 1.5^6, found after 7 tries
    expect.eq(history[1].nline, 7)
    expect.near(history[1].L, 0.1 * 1.5 ^ 6, 1e-15)
    expect.near(params.L, history[#history].L, 0)
    expect.near(solution[1], 2, 1e-3)
    expect.near(solution[2], 0, 1e-3)
    expect.near(solution[3], 0, 1e-3)
    expect.near(history[#history].F, 3.125, 1e-4)
    expect.near(x[1], solution[1], 0)  -- xinit receives the solution
  end)

  it("runs ISTA without momentum", function()
    local x = torch.Tensor(3):zero()
    local solution, history = optim.FistaLS(f, g, prox, x, { doFistaUpdate = false, L = 1 })
    -- with L = 1 a single proximal step from 0 lands on the minimum
    expect.eq(history[1].nline, 1)
    expect.near(solution[1], 2, 1e-12)
    expect.near(history[1].F, 3.125, 1e-12)
    expect.eq(#history, 2)
  end)
end)

describe("optim.de", function()
  it("finds a quadratic's minimum, repeatably, with one value per evaluation", function()
    local f = function(p) local d = p - torch.Tensor({ 1, 2 }); return d:dot(d) end
    local config = { popsize = 20, scaleFactor = 0.5, crossoverRate = 0.9, maxFEs = 1001 }
    local best, fx = optim.de(f, torch.Tensor(2), config)
    expect.eq(fx:size(1), 1001)
    expect.near(best[1], 1, 1e-4)
    expect.near(best[2], 2, 1e-4)
    local again, fx2 = optim.de(f, torch.Tensor(2), config)
    expect.eq(again[1], best[1])
    expect.eq(fx2[500], fx[500])
    -- the first population is uniform in [-30, 30]
    for i = 1, 20 do expect.truthy(fx[i] <= 2 * 31 ^ 2 + 1) end
    expect.error(function() optim.de(f, torch.Tensor(2), {}) end, "optim.de: config needs")
  end)
end)

describe("optim.cmaes", function()
  it("finds a quadratic's minimum; history starts at f(x) and ends with the best value", function()
    torch.manualSeed(7)
    local f = function(p) local d = p - torch.Tensor({ 1, -2, 3 }); return d:dot(d) end
    local best, history, evals = optim.cmaes(f, torch.zeros(3), { sigma = 1, maxEval = 2000 })
    expect.eq(history[1], 14)
    expect.truthy(history[#history] < 1e-10, history[#history])
    expect.near(best[1], 1, 1e-4)
    expect.near(best[2], -2, 1e-4)
    expect.near(best[3], 3, 1e-4)
    -- lambda = 4 + floor(3 log 3) = 7 candidates a generation
    expect.eq(evals % 7, 0)
    expect.truthy(evals <= 2000 + 7)
  end)

  it("stops at ftarget", function()
    torch.manualSeed(1)
    local f = function(p) return p:dot(p) end
    local _, history, evals = optim.cmaes(f, torch.Tensor({ 3, 3 }), { sigma = 1, ftarget = 1e-2 })
    expect.truthy(history[#history] <= 1e-2)
    expect.truthy(history[#history - 1] <= 1e-2)
    expect.truthy(evals < 1000, evals)
    expect.error(function() optim.cmaes(f, torch.zeros(2), {}) end, "state.sigma")
  end)
end)
