-- optim.lbfgs, optim.lswolfe, optim.polyinterp and optim.cg. Multi-step expectations
-- come from a line-by-line transcription of torch/optim's lbfgs.lua / lswolfe.lua /
-- polyinterp.lua / cg.lua in double arithmetic (numpy's lstsq and eigvals in place of
-- torch.gels and torch.eig); single steps are also worked by hand.
require "optim"

local TOL = 1e-14

-- Rosenbrock's function (Torch7's test/rosenbrock.lua in two dimensions):
-- f = 100 (x2 - x1^2)^2 + (1 - x1)^2, minimum 0 at (1, 1). Like Torch7's test function
-- it returns a new gradient tensor per call, unless `shared` asks for one reused buffer
-- (as an nn model's gradParameters are). lswolfe reads the starting gradient after its
-- first evaluation, as Torch7's does, so the two kinds of opfunc take different paths.
local function rosenbrock(shared)
  local buffer = torch.Tensor(2)
  local calls = 0
  return function(x)
    calls = calls + 1
    local x1, x2 = x[1], x[2]
    local r = x2 - x1 * x1
    local grad = shared and buffer or torch.Tensor(2)
    grad[1] = -400 * x1 * r - 2 * (1 - x1)
    grad[2] = 200 * r
    return 100 * r * r + (1 - x1) ^ 2, grad
  end, function() return calls end
end

-- f = x1^2 + 2 x2^2 - x1 - x2 with g = (2 x1 - 1, 4 x2 - 1), as in optim_spec.lua
local function problemP()
  local grad = torch.Tensor(2)
  return function(x)
    local x1, x2 = x[1], x[2]
    grad[1], grad[2] = 2 * x1 - 1, 4 * x2 - 1
    return x1 * x1 + 2 * x2 * x2 - x1 - x2, grad
  end
end

describe("optim.lbfgs", function()
  it("first iteration: steepest descent with t = min(1, 1/sum|g|) * learningRate", function()
    local x = torch.Tensor { 1, 1 }
    local state = { maxIter = 1 }
    local x1, fh, nEval = optim.lbfgs(problemP(), x, state)
    -- g = (1, 3), t = 1/4, x = (1, 1) - 0.25*(1, 3); the last iteration does not re-evaluate
    expect.truthy(x1 == x, "x updated in place")
    expect.eq(x[1], 0.75, "x[1]")
    expect.eq(x[2], 0.25, "x[2]")
    expect.eq(#fh, 1, "f history")
    expect.eq(fh[1], 1, "f(x0)")
    expect.eq(nEval, 1, "evaluations")
    expect.eq(state.nIter, 1, "state.nIter")
    expect.eq(state.funcEval, 1, "state.funcEval")
    expect.eq(state.t, 0.25, "state.t")
  end)

  it("second iteration: one L-BFGS correction pair by hand", function()
    local x = torch.Tensor { 1, 1 }
    local x1, fh, nEval = optim.lbfgs(problemP(), x, { maxIter = 2 })
    -- after step 1: x = (0.75, 0.25), f = 0.5625 + 0.125 - 1 = -0.3125, g = (0.5, 0)
    -- y = g - g_old = (-0.5, -3), s = t*d = (-0.25, -0.75), ys = 2.375, Hdiag = ys/y'y
    -- two-loop: q = -g; al = ro*s'q; q -= al*y; r = Hdiag*q; r += (al - ro*y'r)*s
    local ys, Hdiag, ro = 2.375, 2.375 / 9.25, 1 / 2.375
    local q1, q2 = -0.5, 0
    local al = ro * (-0.25 * q1 + -0.75 * q2)
    q1, q2 = q1 - al * -0.5, q2 - al * -3
    local r1, r2 = q1 * Hdiag, q2 * Hdiag
    local be = ro * (-0.5 * r1 + -3 * r2)
    r1, r2 = r1 + (al - be) * -0.25, r2 + (al - be) * -0.75
    expect.eq(ys, 0.125 + 2.25, "y's")
    expect.near(x[1], 0.75 + r1, TOL, "x[1] by hand")
    expect.near(x[2], 0.25 + r2, TOL, "x[2] by hand")
    expect.near(x[1], 0.60881934566145091, TOL, "x[1]")
    expect.near(x[2], 0.23186344238975817, TOL, "x[2]")
    expect.eq(#fh, 2, "f history")
    expect.eq(fh[2], -0.3125, "f after step 1")
    expect.eq(nEval, 2, "evaluations")
  end)

  it("a third iteration lands next to the minimum (0.5, 0.25)", function()
    local x = torch.Tensor { 1, 1 }
    local _, fh = optim.lbfgs(problemP(), x, { maxIter = 3 })
    expect.near(x[1], 0.4999744259124328, TOL, "x[1]")
    expect.near(x[2], 0.25009953836043308, TOL, "x[2]")
    expect.near(fh[3], -0.36250048056591444, TOL, "f history")
  end)

  it("returns at once when the gradient is already below tolFun", function()
    local x = torch.Tensor { 0.5, 0.25 }
    local x1, fh, nEval = optim.lbfgs(problemP(), x, {})
    expect.eq(#fh, 1, "only f(x0)")
    expect.eq(fh[1], -0.375, "f*")
    expect.eq(nEval, nil, "Torch7 returns two values here")
    expect.eq(x[1], 0.5, "x unchanged")
  end)

  it("reaches Rosenbrock's minimum from (-1.2, 1) with lswolfe", function()
    local feval, calls = rosenbrock()
    local x = torch.Tensor { -1.2, 1 }
    local _, fh, nEval = optim.lbfgs(feval, x, { maxIter = 100, lineSearch = optim.lswolfe })
    expect.near(x[1], 1, 1e-4, "x[1]")
    expect.near(x[2], 1, 1e-4, "x[2]")
    expect.truthy(fh[#fh] < 1e-9, "f at the end: " .. fh[#fh])
    expect.near(fh[1], 24.2, TOL, "f(-1.2, 1)")
    -- as Torch7's algorithm runs it (transcription): 35 f values, 43 evaluations
    expect.near(x[1], 0.9999814210791367, 1e-9, "x[1] as Torch7")
    expect.near(x[2], 0.9999619651810989, 1e-9, "x[2] as Torch7")
    expect.eq(#fh, 35, "f history length")
    expect.eq(nEval, 43, "evaluations")
    expect.eq(calls(), 43, "opfunc calls")
  end)

  it("reaches Rosenbrock's minimum from (0, 0) with lswolfe (Torch7's test_lbfgs_w_ls)", function()
    local feval = rosenbrock()
    local x = torch.Tensor { 0, 0 }
    local _, fh, nEval = optim.lbfgs(feval, x, { maxIter = 100, lineSearch = optim.lswolfe })
    expect.near(x[1], 0.9999995795568878, 1e-9, "x[1]")
    expect.near(x[2], 0.9999991372572522, 1e-9, "x[2]")
    expect.eq(#fh, 21, "f history length")
    expect.eq(nEval, 26, "evaluations")
  end)

  it("reaches Rosenbrock's minimum with an opfunc that reuses its gradient tensor", function()
    local x = torch.Tensor { -1.2, 1 }
    local _, fh = optim.lbfgs(rosenbrock(true), x, { maxIter = 100, lineSearch = optim.lswolfe })
    expect.near(x[1], 1, 1e-4, "x[1]")
    expect.near(x[2], 1, 1e-4, "x[2]")
    expect.truthy(fh[#fh] < 1e-8, "f at the end: " .. fh[#fh])
  end)

  it("fixed steps on Rosenbrock (Torch7's test_lbfgs settings from (-1.2, 1))", function()
    local x = torch.Tensor { -1.2, 1 }
    local _, fh, nEval = optim.lbfgs(rosenbrock(), x, { maxIter = 100, learningRate = 1e-1 })
    expect.near(x[1], 0.024955415336554574, 1e-9, "x[1]")
    expect.near(x[2], -0.012988215830156481, 1e-9, "x[2]")
    expect.eq(#fh, 100, "f history length")
    expect.eq(nEval, 100, "evaluations")
  end)

  it("keeps its memory in state across calls (stochastic use, maxIter = 1)", function()
    local x = torch.Tensor { 1, 1 }
    local config = { maxIter = 1 }
    local feval = problemP()
    optim.lbfgs(feval, x, config)
    optim.lbfgs(feval, x, config)
    expect.eq(config.nIter, 2, "nIter")
    expect.eq(#config.old_dirs, 1, "one correction pair")
    -- the second call is the second iteration above, but x moves by t = learningRate = 1
    -- along d computed at (0.75, 0.25) after re-evaluating there
    expect.near(x[1], 0.60881934566145091, TOL, "x[1]")
    expect.near(x[2], 0.23186344238975817, TOL, "x[2]")
  end)
end)

describe("optim.lswolfe", function()
  it("accepts a step that satisfies the Wolfe conditions at once", function()
    -- along d = -g from (1, 1) on P: phi(t) = f(x - t g), exact minimum at t = 10/38
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local f, g = feval(x)
    g = g:clone()
    local d = g:clone():mul(-1)
    local gtd = g:dot(d)  -- -10
    local f1, g1, x1, t, nEval = optim.lswolfe(feval, x, 0.25, d, f, g, gtd)
    -- t = 0.25: f = -0.3125 <= 1 + 1e-4*0.25*(-10), |g1.d| = |(0.5, 0).(-1, -3)| = 0.5 <= 9
    expect.eq(t, 0.25, "t")
    expect.eq(f1, -0.3125, "f")
    expect.eq(nEval, 1, "evaluations")
    expect.truthy(x1 == x, "x returned")
    expect.eq(x[1], 0.75, "x[1]")
    expect.eq(x[2], 0.25, "x[2]")
    expect.eq(g1[1], 0.5, "g[1]")
    expect.eq(g1[2], 0, "g[2]")
  end)

  it("brackets and zooms when the first step overshoots", function()
    -- t = 1 along -g: f(0, -2) = 10 > f: bracket [0, 1], then cubic interpolation. phi is
    -- the quadratic 19 t^2 - 10 t + 1, so the cubic fit is exact: t = 10/38
    local feval = problemP()
    local x = torch.Tensor { 1, 1 }
    local f, g = feval(x)
    g = g:clone()
    local d = g:clone():mul(-1)
    local f1, _, _, t, nEval = optim.lswolfe(feval, x, 1, d, f, g, g:dot(d))
    expect.near(t, 10 / 38, TOL, "t")
    expect.near(f1, 1 - 100 / 76, TOL, "f")
    expect.eq(nEval, 2, "evaluations")
    expect.near(x[1], 1 - 10 / 38, TOL, "x[1]")
    expect.near(x[2], 1 - 30 / 38, TOL, "x[2]")
  end)
end)

describe("optim.polyinterp", function()
  it("two points, no bounds: Torch7's closed-form cubic", function()
    -- points (x, f, g): (0, 1, -10) and (1, 10, 28) of phi(t) = 19 t^2 - 10 t + 1
    -- d1 = g1 + g2 - 3 (f1 - f2)/(x1 - x2) = -10 + 28 - 27 = -9, d2 = sqrt(81 + 280) = 19
    -- t = 1 - 1*((28 + 19 + 9)/(28 + 10 + 38)) = 1 - 56/76 = 10/38
    local t = optim.polyinterp(torch.Tensor { { 0, 1, -10 }, { 1, 10, 28 } })
    expect.near(t, 1 - 56 / 76, TOL, "t")
    -- the order of the points does not matter
    local t2 = optim.polyinterp(torch.Tensor { { 1, 10, 28 }, { 0, 1, -10 } })
    expect.near(t2, 1 - 56 / 76, TOL, "t swapped")
  end)

  it("two points, no real critical point: the midpoint (torch.mean)", function()
    -- (0, 0, 5), (1, 2, 5): d1 = 5 + 5 - 3*(0 - 2)/(0 - 1) = 4, d1^2 - g1*g2 = 16 - 25 < 0,
    -- so d2 is NaN and Torch7 falls back to the mean of the two positions
    local t = optim.polyinterp(torch.Tensor { { 0, 0, 5 }, { 1, 2, 5 } })
    expect.eq(t, 0.5, "midpoint")
  end)

  it("with bounds: the fitted polynomial's best critical point inside them", function()
    -- f(x) = (x - 2)^2 at 0 and 1: the cubic fit is the parabola itself, critical point 2
    local pts = torch.Tensor { { 0, 4, -4 }, { 1, 1, -2 } }
    local t, fmin = optim.polyinterp(pts, 1.01, 10)
    expect.near(t, 2, 1e-12, "t")
    expect.near(fmin, 0, 1e-12, "fmin")
    -- bounds that exclude it: the lower bound is best
    t, fmin = optim.polyinterp(pts, 3, 5)
    expect.eq(t, 3, "t at the bound")
    expect.near(fmin, 1, 1e-12, "fmin")
  end)

  it("with bounds and only complex critical points: bounds and points compete", function()
    -- f = x^3 + x: f' = 3x^2 + 1 has no real root; at 0 and 1: (0, 0, 1), (1, 2, 4)
    local t, fmin = optim.polyinterp(torch.Tensor { { 0, 0, 1 }, { 1, 2, 4 } }, -1, 1)
    expect.near(t, -1, 1e-12, "t")
    expect.near(fmin, -2, 1e-12, "fmin")
  end)

  it("three points: a quintic fit", function()
    -- f = (x - 1)^2 (x + 1)^2 = x^4 - 2x^2 + 1 at -2, 0.5, 2: minima at +-1, f = 0
    local function row(x) return { x, (x - 1) ^ 2 * (x + 1) ^ 2, 4 * x ^ 3 - 4 * x } end
    local t, fmin = optim.polyinterp(torch.Tensor { row(-2), row(0.5), row(2) }, 0, 3)
    expect.near(t, 1, 1e-6, "t")
    expect.near(fmin, 0, 1e-9, "fmin")
  end)

  it("rejects anything but an Nx3 tensor", function()
    expect.error(function() optim.polyinterp({ { 0, 1, 2 } }) end, "optim.polyinterp: points must be an Nx3 tensor")
    expect.error(function() optim.polyinterp(torch.Tensor(2, 2)) end, "optim.polyinterp: points must be an Nx3 tensor")
  end)
end)

describe("optim.cg", function()
  it("Rosenbrock from (0, 0) with maxIter = 50 (Torch7's test_cg)", function()
    local feval, calls = rosenbrock()
    local x = torch.Tensor { 0, 0 }
    local state = { maxIter = 50 }
    local _, fh, nEval = optim.cg(feval, x, state)
    expect.near(x[1], 1.0000002562647388, 1e-9, "x[1]")
    expect.near(x[2], 0.999999552855619, 1e-9, "x[2]")
    expect.eq(#fh, 18, "f history: one value per successful line search")
    expect.eq(fh[1], 1, "f(0, 0)")
    expect.near(fh[18], 9.216307569850197e-11, 1e-9, "last f")
    expect.eq(nEval, 64, "evaluations")
    expect.eq(calls(), 64, "opfunc calls")
    for _, k in ipairs { "df0", "df1", "df2", "df3", "s", "x0" } do
      expect.truthy(torch.isTensor(state[k]), "state." .. k)
    end
  end)

  it("Rosenbrock from (0, 0) with 25 evaluations (minimize.m's example)", function()
    local x = torch.Tensor { 0, 0 }
    local _, fh, nEval = optim.cg(rosenbrock(), x, { maxEval = 25 })
    expect.near(x[1], 0.8724736005210183, 1e-9, "x[1]")
    expect.near(x[2], 0.7569137488451577, 1e-9, "x[2]")
    expect.eq(#fh, 9, "f history")
    expect.near(fh[9], 0.018108917729584194, 1e-9, "last f")
    expect.eq(nEval, 25, "evaluations")
  end)

  it("solves a quadratic and stops even when maxEval is fractional", function()
    -- maxIter = 50 gives maxEval = 62.5, which Torch7's line-search budget check (m == 0)
    -- steps over once converged; here the run still ends
    local A = torch.Tensor { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } }
    local b = torch.Tensor { 1, 2, 3 }
    local grad = torch.Tensor(3)
    local x = torch.Tensor(3):zero()
    local _, fh, nEval = optim.cg(function(p)
      grad:mv(A, p):add(-1, b)
      return 0.5 * p:dot(torch.mv(A, p)) - b:dot(p), grad
    end, x, { maxIter = 50 })
    expect.near(x[1], 2 / 9, 1e-8, "x[1]")
    expect.near(x[2], 1 / 9, 1e-8, "x[2]")
    expect.near(x[3], 13 / 9, 1e-8, "x[3]")
    expect.near(fh[#fh], -43 / 18, 1e-12, "f*")
    expect.truthy(nEval <= 2 * 62.5 + 1, "bounded evaluations: " .. nEval)
  end)
end)
