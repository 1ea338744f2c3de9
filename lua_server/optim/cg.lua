-- optim.cg(opfunc, x [, config] [, state]) -> x*, f_hist, nEvals
-- Conjugate gradients (Polak-Ribiere) with Rasmussen's line search, a rewrite of his
-- minimize.m as torch/optim has it, step for step. f_hist[1] is f(x) before optimizing,
-- then one value per successful line search. Only function evaluations are limited.
-- config: rho (0.01), sig (0.5), int (0.1), ext (3.0), maxIter (20), ratio (100),
-- maxEval (maxIter*1.25). state (defaults to config): df0, df1, df2, df3, s, x0 (buffers).
-- The buffers take x's type (Torch7 makes them default-type tensors, which only works when
-- x is one); the arithmetic is the same.
local optim = require "optim.env"

local sqrt, abs, huge = math.sqrt, math.abs, math.huge
local mmin, mmax = math.min, math.max

local function bad(z) return z ~= z or z == huge or z == -huge end

function optim.cg(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local rho = config.rho or 0.01
  local sig = config.sig or 0.5
  local int = config.int or 0.1
  local ext = config.ext or 3.0
  local maxIter = config.maxIter or 20
  local ratio = config.ratio or 100
  local maxEval = config.maxEval or maxIter * 1.25
  local red = 1

  local i = 0
  local ls_failed = 0
  local fx = {}

  -- three points for the interpolation/extrapolation
  local z1, z2, z3 = 0, 0, 0
  local d1, d2, d3 = 0, 0, 0
  local f1, f2, f3 = 0, 0, 0

  local df1 = state.df1 or x.new()
  local df2 = state.df2 or x.new()
  local df3 = state.df3 or x.new()
  local tdf
  df1:resizeAs(x)
  df2:resizeAs(x)
  df3:resizeAs(x)

  local s = state.s or x.new()  -- search direction
  s:resizeAs(x)

  local x0 = state.x0 or x.new()
  local f0 = 0
  local df0 = state.df0 or x.new()
  x0:resizeAs(x)
  df0:resizeAs(x)

  -- initial point
  f1, tdf = opfunc(x)
  fx[#fx + 1] = f1
  df1:copy(tdf)
  i = i + 1

  s:copy(df1):mul(-1)   -- steepest descent
  d1 = -s:dot(s)        -- slope
  z1 = red / (1 - d1)   -- initial step

  while i < abs(maxEval) do
    x0:copy(x)
    f0 = f1
    df0:copy(df1)

    x:add(z1, s)
    f2, tdf = opfunc(x)
    df2:copy(tdf)
    i = i + 1
    d2 = df2:dot(s)
    f3, d3, z3 = f1, d1, -z1  -- point 3 starts equal to point 1
    local m = mmin(maxIter, maxEval - i)
    local success = 0
    local limit = -1

    while true do
      while (f2 > f1 + z1 * rho * d1 or d2 > -sig * d1) and m > 0 do
        limit = z1
        if f2 > f1 then
          z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3)  -- quadratic fit
        else
          local A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)          -- cubic fit
          local B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
          z2 = (sqrt(B * B - A * d2 * z3 * z3) - B) / A
        end
        if bad(z2) then
          z2 = z3 / 2
        end
        z2 = mmax(mmin(z2, int * z3), (1 - int) * z3)
        z1 = z1 + z2
        x:add(z2, s)
        f2, tdf = opfunc(x)
        df2:copy(tdf)
        i = i + 1
        m = m - 1
        d2 = df2:dot(s)
        z3 = z3 - z2
      end
      if f2 > f1 + z1 * rho * d1 or d2 > -sig * d1 then
        break
      elseif d2 > sig * d1 then
        success = 1
        break
      elseif m == 0 or m < -abs(maxEval) then
        -- Torch7 tests m == 0 only, which a fractional maxEval (the default maxIter*1.25
        -- is one when maxIter is not a multiple of 4) steps over: its line search then
        -- runs on, possibly forever. Same results here, but never more than maxEval
        -- evaluations past the budget.
        break
      end
      -- cubic extrapolation
      local A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)
      local B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
      z2 = -d2 * z3 * z3 / (B + sqrt(B * B - A * d2 * z3 * z3))

      if bad(z2) or z2 < 0 then
        if limit < -0.5 then
          z2 = z1 * (ext - 1)
        else
          z2 = (limit - z1) / 2
        end
      elseif (limit > -0.5) and (z2 + z1) > limit then
        z2 = (limit - z1) / 2
      elseif limit < -0.5 and (z2 + z1) > z1 * ext then
        z2 = z1 * (ext - 1)
      elseif z2 < -z3 * int then
        z2 = -z3 * int
      elseif limit > -0.5 and z2 < (limit - z1) * (1 - int) then
        z2 = (limit - z1) * (1 - int)
      end
      f3 = f2; d3 = d2; z3 = -z2
      z1 = z1 + z2
      x:add(z2, s)

      f2, tdf = opfunc(x)
      df2:copy(tdf)
      i = i + 1
      m = m - 1
      d2 = df2:dot(s)
    end
    if success == 1 then
      f1 = f2
      fx[#fx + 1] = f1
      local ss = (df2:dot(df2) - df2:dot(df1)) / df1:dot(df1)  -- Polak-Ribiere
      s:mul(ss)
      s:add(-1, df2)
      local tmp = df1:clone()
      df1:copy(df2)
      df2:copy(tmp)
      d2 = df1:dot(s)
      if d2 > 0 then  -- not a descent direction: restart from steepest descent
        s:copy(df1)
        s:mul(-1)
        d2 = -s:dot(s)
      end
      z1 = z1 * mmin(ratio, d1 / (d2 - 1e-320))
      d1 = d2
      ls_failed = 0
    else
      x:copy(x0)
      f1 = f0
      df1:copy(df0)
      -- ls_failed is a number, so always true in Lua: as in Torch7, the first failed
      -- line search ends the run
      if ls_failed or i > maxEval then
        break
      end
      local tmp = df1:clone()
      df1:copy(df2)
      df2:copy(tmp)
      s:copy(df1)
      s:mul(-1)
      d1 = -s:dot(s)
      z1 = 1 / (1 - d1)
      ls_failed = 1
    end
  end
  state.df0 = df0
  state.df1 = df1
  state.df2 = df2
  state.df3 = df3
  state.x0 = x0
  state.s = s
  return x, fx, i
end

return optim.cg
