-- optim's first-order methods against Torch7's update formulas, worked by hand.
-- Problem P: f(x) = x1^2 + 2 x2^2 - x1 - x2 (= 1/2 x'Ax - b'x, A = diag(2, 4), b = (1, 1)),
-- gradient g(x) = (2 x1 - 1, 4 x2 - 1), minimum at (0.5, 0.25), start x0 = (1, 1) where
-- f = 1 and g = (1, 3). The expected numbers below follow each method's formula in
-- Torch7's operation order (the digits were checked in double arithmetic).
require "optim"

local TOL = 1e-14

-- feval for P that writes its gradient into one reused buffer, as an nn model does
local function problemP()
  local grad = torch.Tensor(2)
  local calls = 0
  local function feval(x)
    calls = calls + 1
    local x1, x2 = x[1], x[2]
    grad[1], grad[2] = 2 * x1 - 1, 4 * x2 - 1
    return x1 * x1 + 2 * x2 * x2 - x1 - x2, grad
  end
  return feval, grad, function() return calls end
end

local function expect_x(x, e1, e2, what)
  expect.eq(x:dim(), 1, what .. " dim")
  expect.eq(x:size(1), 2, what .. " size")
  expect.near(x[1], e1, TOL, what .. " x[1]")
  expect.near(x[2], e2, TOL, what .. " x[2]")
end

-- f(x) = 1/2 x'Ax - b'x on R^3 with A = [4 1 0; 1 3 1; 0 1 2], b = (1, 2, 3):
-- minimum at A^-1 b = (2/9, 1/9, 13/9), f* = -43/18
local QA = torch.Tensor { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } }
local Qb = torch.Tensor { 1, 2, 3 }
local QXSTAR = { 2 / 9, 1 / 9, 13 / 9 }
local function quadratic()
  local grad, Ax = torch.Tensor(3), torch.Tensor(3)
  return function(x)
    Ax:mv(QA, x)
    grad:copy(Ax):add(-1, Qb)
    return 0.5 * x:dot(Ax) - Qb:dot(x), grad
  end
end

describe("optim", function()
  it("is the global table Torch7 code expects, with every method", function()
    expect.eq(rawget(_G, "optim"), require("optim"), "global optim")
    for _, name in ipairs { "sgd", "adam", "adamax", "adagrad", "adadelta", "rmsprop", "nag",
      "asgd", "lbfgs", "cg", "lswolfe", "polyinterp", "Logger", "ConfusionMatrix" } do
      expect.truthy(optim[name], "optim." .. name)
    end
  end)
end)

describe("optim.sgd", function()
  it("plain steps: x = x - lr*g, returns x and {f(x) before the step}", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1 }
    local x1, fs = optim.sgd(feval, x, state)
    expect.truthy(x1 == x, "updates x in place and returns it")
    expect.eq(type(fs), "table", "f table")
    expect.eq(#fs, 1, "one f value")
    expect.eq(fs[1], 1, "f(x0)")
    expect_x(x, 0.9, 0.7, "step 1")         -- (1 - 0.1*1, 1 - 0.1*3)
    local _, fs2 = optim.sgd(feval, x, state)
    expect.near(fs2[1], 0.81 + 0.98 - 0.9 - 0.7, TOL, "f(x1)")
    expect_x(x, 0.82, 0.52, "step 2")       -- g = (0.8, 1.8)
    expect.eq(state.evalCounter, 2, "evalCounter")
  end)

  it("defaults the learning rate to 1e-3 and state to config", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local config = {}
    optim.sgd(feval, x, config)
    expect_x(x, 1 - 1e-3, 1 - 3e-3, "lr 1e-3")
    expect.eq(config.evalCounter, 1, "state in config")
    local state = {}
    optim.sgd(feval, x, config, state)
    expect.eq(config.evalCounter, 1, "config untouched when state given")
    expect.eq(state.evalCounter, 1, "separate state")
    optim.sgd(feval, x)  -- no tables at all
  end)

  it("weightDecay adds wd*x to the gradient, in the caller's gradient tensor", function()
    local feval, grad = problemP()
    local x = torch.Tensor { 1, 1 }
    optim.sgd(feval, x, { learningRate = 0.1, weightDecay = 0.5 })
    -- g + 0.5*x = (1.5, 3.5); x = (1 - 0.15, 1 - 0.35)
    expect_x(x, 0.85, 0.65, "step")
    expect.eq(grad[1], 1.5, "dfdx modified in place like Torch7")
    expect.eq(grad[2], 3.5, "dfdx modified in place like Torch7")
  end)

  it("weightDecays adds wds.*x per parameter", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, weightDecays = torch.Tensor { 0, 1 } }
    optim.sgd(feval, x, state)
    expect_x(x, 0.9, 0.6, "step")           -- g = (1, 3 + 1)
    expect.truthy(torch.isTensor(state.decayParameters), "state.decayParameters")
  end)

  it("momentum: dfdx = mom*dfdx + (1-damp)*g, dampening defaulting to the momentum", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, momentum = 0.9 }
    optim.sgd(feval, x, state)
    expect_x(x, 0.9, 0.7, "step 1 (buffer starts at g)")
    expect.eq(state.dfdx[1], 1, "buffer")
    expect.eq(state.dfdx[2], 3, "buffer")
    optim.sgd(feval, x, state)
    -- g = (0.8, 1.8); buf = 0.9*(1, 3) + 0.1*(0.8, 1.8) = (0.98, 2.88)
    expect.near(state.dfdx[1], 0.98, TOL, "buffer 2")
    expect.near(state.dfdx[2], 2.88, TOL, "buffer 2")
    expect_x(x, 0.802, 0.412, "step 2")     -- x - 0.1*buf
  end)

  it("momentum with explicit dampening", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, momentum = 0.5, dampening = 0 }
    optim.sgd(feval, x, state)
    optim.sgd(feval, x, state)
    -- buf = 0.5*(1, 3) + 1*(0.8, 1.8) = (1.3, 3.3); x = (0.9 - 0.13, 0.7 - 0.33)
    expect_x(x, 0.77, 0.37, "step 2")
  end)

  it("nesterov: g + mom*buf with the buffer updated first", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, momentum = 0.9, dampening = 0, nesterov = true }
    optim.sgd(feval, x, state)
    -- buf = g = (1, 3); step g + 0.9*buf = (1.9, 5.7); x = (0.81, 0.43)
    expect_x(x, 0.81, 0.43, "step 1")
    optim.sgd(feval, x, state)
    -- g = (0.62, 0.72); buf = 0.9*(1, 3) + (0.62, 0.72) = (1.52, 3.42)
    -- step = g + 0.9*buf = (1.988, 3.798); x = (0.81 - 0.1988, 0.43 - 0.3798)
    expect_x(x, 0.6112, 0.0502, "step 2")
  end)

  it("nesterov without momentum or with dampening is an error", function()
    local feval = problemP()
    expect.error(function()
      optim.sgd(feval, torch.Tensor { 1, 1 }, { nesterov = true, momentum = 0.9 })
    end, "Nesterov momentum requires a momentum and zero dampening")
    expect.error(function()
      optim.sgd(feval, torch.Tensor { 1, 1 }, { nesterov = true })
    end, "Nesterov momentum requires a momentum and zero dampening")
  end)

  it("learningRateDecay: clr = lr / (1 + evalCounter*lrd)", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, learningRateDecay = 0.5 }
    optim.sgd(feval, x, state)
    expect_x(x, 0.9, 0.7, "step 1 at clr 0.1")
    optim.sgd(feval, x, state)
    -- clr = 0.1/1.5; g = (0.8, 1.8)
    expect_x(x, 0.9 - (0.1 / 1.5) * 0.8, 0.7 - (0.1 / 1.5) * 1.8, "step 2")
    expect.near(x[1], 0.8466666666666667, TOL, "x[1] literal")
    expect.near(x[2], 0.58, TOL, "x[2] literal")
  end)

  it("learningRates scale the step per parameter", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, learningRates = torch.Tensor { 1, 0.5 } }
    optim.sgd(feval, x, state)
    expect_x(x, 0.9, 0.85, "step")          -- (1 - 0.1*1*1, 1 - 0.1*0.5*3)
    expect.truthy(torch.isTensor(state.deltaParameters), "state.deltaParameters")
  end)

  it("works on FloatTensors and keeps their type", function()
    local x = torch.FloatTensor { 1, 1 }
    local grad = torch.FloatTensor(2)
    optim.sgd(function(p)
      grad[1], grad[2] = 2 * p[1] - 1, 4 * p[2] - 1
      return 0, grad
    end, x, { learningRate = 0.5, momentum = 0.5 })
    expect.eq(torch.type(x), "torch.FloatTensor", "type")
    expect.near(x[1], 0.5, 1e-7, "x[1]")
    expect.near(x[2], -0.5, 1e-7, "x[2]")
  end)
end)

describe("optim.adam", function()
  it("two steps by hand", function()
    -- t=1: m = 0.1 g = (0.1, 0.3), v = 0.001 g.^2 = (0.001, 0.009),
    -- step = 0.1*sqrt(1-0.999)/(1-0.9) = sqrt(0.001); x -= step * m ./ (sqrt(v) + 1e-8)
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1 }
    local _, fs = optim.adam(feval, x, state)
    expect.eq(fs[1], 1, "f(x0)")
    local s = math.sqrt(0.001)
    expect_x(x, 1 - s * 0.1 / (math.sqrt(0.001) + 1e-8), 1 - s * 0.3 / (math.sqrt(0.009) + 1e-8), "formula")
    expect_x(x, 0.90000003162276665, 0.90000001054092438, "step 1")
    optim.adam(feval, x, state)
    expect_x(x, 0.80118747499214804, 0.80062559995071281, "step 2")
    expect.eq(state.t, 2, "state.t")
    for _, k in ipairs { "m", "v", "denom" } do expect.truthy(torch.isTensor(state[k]), "state." .. k) end
  end)

  it("weightDecay and learningRateDecay", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, weightDecay = 1, learningRateDecay = 1 }
    optim.adam(feval, x, state)
    -- g + x = (2, 4): first Adam step is lr*(1 - ~1e-8 relative) per coordinate
    local s = math.sqrt(0.001)
    expect.near(x[1], 1 - s * 0.2 / (math.sqrt(0.004) + 1e-8), TOL, "x[1]")
    optim.adam(feval, x, state)  -- clr = 0.1/(1 + 1*1) = 0.05
    expect.eq(state.t, 2, "t")
    expect.truthy(x[1] < 0.9 and x[1] > 0.8, "second step smaller")
  end)
end)

describe("optim.adamax", function()
  it("two steps by hand", function()
    -- t=1: m = 0.1 g, u = max(0.999*0, |g| + 1e-38) = |g|, x -= 0.1/(1-0.9) * m ./ u = 0.1
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1 }
    optim.adamax(feval, x, state)
    expect_x(x, 0.9, 0.9, "step 1")
    -- t=2: g = (0.8, 2.6); m = 0.9 m + 0.1 g = (0.17, 0.53); u = max(0.999 u, |g|) = (0.999, 2.997)
    -- x -= 0.1/(1 - 0.81) * m ./ u
    optim.adamax(feval, x, state)
    expect_x(x, 0.9 - (0.1 / 0.19) * 0.17 / 0.999, 0.9 - (0.1 / 0.19) * 0.53 / 2.997, "formula")
    expect_x(x, 0.81043675254201575, 0.80692446832797715, "step 2")
    expect.eq(state.max:size(1), 2, "state.max rows")
  end)
end)

describe("optim.adagrad", function()
  it("two steps by hand", function()
    -- paramVariance += g.^2; x -= lr * g ./ (sqrt(paramVariance) + 1e-10)
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1 }
    optim.adagrad(feval, x, state)
    expect_x(x, 1 - 0.1 * 1 / (1 + 1e-10), 1 - 0.1 * 3 / (3 + 1e-10), "step 1")
    optim.adagrad(feval, x, state)
    expect_x(x, 0.83753049525848333, 0.83450694616300714, "step 2")
    expect.eq(state.evalCounter, 2, "evalCounter")
    local g2 = 4 * (1 - 0.1 * 3 / (3 + 1e-10)) - 1  -- second gradient, coordinate 2
    expect.near(state.paramVariance[2], 9 + g2 * g2, TOL, "paramVariance = sum of g^2")
  end)
end)

describe("optim.adadelta", function()
  it("two steps by hand", function()
    -- pv = 0.9 pv + 0.1 g.^2; delta = sqrt(acc + 1e-6) ./ sqrt(pv + 1e-6) .* g;
    -- x -= delta; acc = 0.9 acc + 0.1 delta.^2
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = {}
    optim.adadelta(feval, x, state)
    expect_x(x, 1 - math.sqrt(1e-6) / math.sqrt(0.1 + 1e-6), 1 - math.sqrt(1e-6) / math.sqrt(0.9 + 1e-6) * 3, "formula")
    expect_x(x, 0.99683773815110133, 0.99683772409665106, "step 1")
    optim.adadelta(feval, x, state)
    expect_x(x, 0.99360309482880804, 0.99359979900321105, "step 2")
    for _, k in ipairs { "paramVariance", "paramStd", "delta", "accDelta" } do
      expect.truthy(torch.isTensor(state[k]), "state." .. k)
    end
  end)
end)

describe("optim.rmsprop", function()
  it("two steps by hand", function()
    -- m = 0.99 m + 0.01 g.^2; x -= lr * g ./ (sqrt(m) + 1e-8)
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.01 }
    optim.rmsprop(feval, x, state)
    expect_x(x, 1 - 0.01 * 1 / (0.1 + 1e-8), 1 - 0.01 * 3 / (math.sqrt(0.09) + 1e-8), "formula")
    expect_x(x, 0.90000000999999907, 0.9000000033333333, "step 1")
    optim.rmsprop(feval, x, state)
    expect_x(x, 0.83733917795749246, 0.83431914191205925, "step 2")
  end)

  it("initialMean starts m", function()
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.01, initialMean = 1 }
    optim.rmsprop(feval, x, state)
    -- m = 0.99 + 0.01 g.^2 = (1, 1.08)
    expect.near(state.m[1], 1, TOL, "m[1]")
    expect.near(state.m[2], 1.08, TOL, "m[2]")
  end)
end)

describe("optim.nag", function()
  it("two steps by hand", function()
    -- the gradient is taken at x + mom*dfdx; dfdx = mom*dfdx - lr*g; x = x_old + dfdx
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local state = { learningRate = 0.1, momentum = 0.9 }
    optim.nag(feval, x, state)
    expect_x(x, 0.9, 0.7, "step 1")                  -- dfdx = -0.1*(1, 3)
    optim.nag(feval, x, state)
    -- look-ahead point (0.9, 0.7) + 0.9*(-0.1, -0.3) = (0.81, 0.43): g = (0.62, 0.72)
    -- dfdx = 0.9*(-0.1, -0.3) - 0.1*(0.62, 0.72) = (-0.152, -0.342)
    expect_x(x, 0.748, 0.358, "step 2")
  end)

  it("needs a positive momentum", function()
    local feval = problemP()
    expect.error(function() optim.nag(feval, torch.Tensor { 1, 1 }, { momentum = 0 }) end,
      "Momentum must be positive for Nesterov Accelerated Gradient")
  end)
end)

describe("optim.asgd", function()
  it("two steps by hand, averaging from t0", function()
    -- x = (1 - lambda*eta) x - eta g ; eta_t = eta0/(1 + lambda*eta0*t)^alpha ;
    -- mu_t = 1/max(1, t - t0); ax = x while mu is 1, then ax += mu*(x - ax)
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local config = { eta0 = 0.1, lambda = 0.5, t0 = -1 }
    local _, fs, ax = optim.asgd(feval, x, config)
    expect.eq(fs[1], 1, "f(x0)")
    expect_x(x, 0.95 - 0.1, 0.95 - 0.3, "step 1")     -- (0.85, 0.65)
    expect_x(ax, 0.85, 0.65, "average 1")
    expect.near(config.eta_t, 0.1 / (1.05 ^ 0.75), TOL, "eta_1")
    expect.eq(config.mu_t, 0.5, "mu_1")
    expect.eq(config.alpha, 0.75, "defaults written into config")
    local _, _, ax2 = optim.asgd(feval, x, config)
    expect_x(x, 0.74154226059688855, 0.46441675702134277, "step 2")
    -- ax = (0.85, 0.65) + 0.5*(x - (0.85, 0.65))
    expect_x(ax2, 0.79577113029844426, 0.5572083785106714, "average 2")
  end)
end)

describe("optim methods on a quadratic", function()
  local cases = {
    { "sgd", { learningRate = 0.2 }, 200 },
    { "sgd", { learningRate = 0.1, momentum = 0.9, dampening = 0, nesterov = true }, 400 },
    { "adam", { learningRate = 0.05 }, 2000 },
    { "adamax", { learningRate = 0.05 }, 2000 },
    { "adagrad", { learningRate = 0.5 }, 1000 },
    -- constant-rate RMSprop ends in an orbit of about lr/2 around the minimum
    { "rmsprop", { learningRate = 0.001 }, 5000, 1e-3 },
    { "nag", { learningRate = 0.1, momentum = 0.5 }, 300 },
    { "asgd", { eta0 = 0.2, lambda = 0, t0 = 100 }, 500, nil, true },
    -- ADADELTA's unit-free steps settle near the minimum, not onto it (Torch7's as well:
    -- after 3000 steps the error is 0.032 with the defaults, in double arithmetic)
    { "adadelta", {}, 3000, 0.05 },
  }
  for _, c in ipairs(cases) do
    local name, config, steps, tol, averaged = c[1], c[2], c[3], c[4] or 1e-8, c[5]
    it(name .. " reaches A^-1 b", function()
      local feval = quadratic()
      local x = torch.Tensor(3):zero()
      local ax, f0, flast
      for i = 1, steps do
        local fs
        x, fs, ax = optim[name](feval, x, config)
        if i == 1 then f0 = fs[1] end
        flast = fs[1]
      end
      expect.eq(f0, 0, "f(0)")
      local res = averaged and ax or x
      for i = 1, 3 do expect.near(res[i], QXSTAR[i], tol, name .. " x[" .. i .. "]") end
      expect.near(flast, -43 / 18, tol * tol * 10 + 1e-12, "f at the end")
    end)
  end
end)
