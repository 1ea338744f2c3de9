-- optim.lswolfe(opfunc, x, t, d, f, g, gtd [, options]) -> f_new, g_new, x, t, lsFuncEval
-- A line search satisfying the strong Wolfe conditions (torch/optim's, after minFunc):
-- bracket a step along d from x that satisfies them, then zoom in on it by cubic
-- interpolation. x is moved to x + t*d. g is the gradient at x, gtd = g.d.
-- options: c1 (1e-4, sufficient decrease), c2 (0.9, curvature), tolX (1e-9, smallest
-- change of the bracket), maxIter (20), verbose (false).
-- Torch7 keeps the bracket in small tensors; here it is Lua numbers plus gradient
-- copies, with the same arithmetic and the same tie-breaking.
local optim = require "optim.env"
local polyinterp = require "optim.polyinterp"

local abs, min, max, print = math.abs, math.min, math.max, print
local interp, argmin2 = polyinterp.interp, polyinterp.argmin2

function optim.lswolfe(opfunc, x, t, d, f, g, gtd, options)
  options = options or {}
  local c1 = options.c1 or 1e-4
  local c2 = options.c2 or 0.9
  local tolX = options.tolX or 1e-9
  local maxIter = options.maxIter or 20
  local isverbose = options.verbose or false
  local function verbose(...)
    if isverbose then print("<optim.lswolfe> ", ...) end
  end

  -- evaluate the objective and gradient at the initial step
  local x_init = x:clone()
  x:add(t, d)
  local f_new, g_new = opfunc(x)
  local lsFuncEval = 1
  local gtd_new = g_new:dot(d)

  -- bracket an interval containing a point satisfying the Wolfe criteria
  local LSiter, t_prev, done = 0, 0, false
  local f_prev, g_prev, gtd_prev = f, g:clone(), gtd
  local bracket, bracketFval, bracketGval
  while LSiter < maxIter do
    if (f_new > (f + c1 * t * gtd)) or (LSiter > 1 and f_new >= f_prev) then
      bracket, bracketFval = { t_prev, t }, { f_prev, f_new }
      bracketGval = { g_prev, g_new:clone() }  -- g_prev is already a copy
      break
    elseif abs(gtd_new) <= -c2 * gtd then
      bracket, bracketFval = { t }, { f_new }
      bracketGval = { g_new:clone() }
      done = true
      break
    elseif gtd_new >= 0 then
      bracket, bracketFval = { t_prev, t }, { f_prev, f_new }
      bracketGval = { g_prev, g_new:clone() }  -- g_prev is already a copy
      break
    end

    -- interpolate, extrapolating at most 10x
    local tmp = t_prev
    t_prev = t
    local minStep = t + 0.01 * (t - tmp)
    local maxStep = t * 10
    t = interp({ { tmp, f_prev, gtd_prev }, { t, f_new, gtd_new } }, minStep, maxStep)

    -- next step
    f_prev = f_new
    g_prev = g_new:clone()
    gtd_prev = gtd_new
    x:copy(x_init)
    x:add(t, d)
    f_new, g_new = opfunc(x)
    lsFuncEval = lsFuncEval + 1
    gtd_new = g_new:dot(d)
    LSiter = LSiter + 1
  end

  if LSiter == maxIter then
    bracket, bracketFval = { 0, t }, { f, f_new }
    bracketGval = { g:clone(), g_new:clone() }
  end

  -- zoom: refine the bracket until a point satisfies the criteria
  local insufProgress = false
  while not done and LSiter < maxIter do
    local LOpos = argmin2(bracketFval[1], bracketFval[2])
    local f_LO = bracketFval[LOpos]
    local HIpos = 3 - LOpos

    t = interp({ { bracket[1], bracketFval[1], bracketGval[1]:dot(d) },
                 { bracket[2], bracketFval[2], bracketGval[2]:dot(d) } })

    -- insist on progress: not too close to the ends of the bracket
    local bmax, bmin = max(bracket[1], bracket[2]), min(bracket[1], bracket[2])
    if min(bmax - t, t - bmin) / (bmax - bmin) < 0.1 then
      if insufProgress or t >= bmax or t <= bmin then
        if abs(t - bmax) < abs(t - bmin) then
          t = bmax - 0.1 * (bmax - bmin)
        else
          t = bmin + 0.1 * (bmax - bmin)
        end
        insufProgress = false
      else
        insufProgress = true
      end
    else
      insufProgress = false
    end

    -- evaluate the new point
    x:copy(x_init)
    x:add(t, d)
    f_new, g_new = opfunc(x)
    lsFuncEval = lsFuncEval + 1
    gtd_new = g_new:dot(d)
    LSiter = LSiter + 1
    if f_new > f + c1 * t * gtd or f_new >= f_LO then
      -- Armijo condition not satisfied, or not lower than the lowest point
      bracket[HIpos] = t
      bracketFval[HIpos] = f_new
      bracketGval[HIpos]:copy(g_new)
    else
      if abs(gtd_new) <= -c2 * gtd then
        done = true  -- Wolfe conditions satisfied
      elseif gtd_new * (bracket[HIpos] - bracket[LOpos]) >= 0 then
        -- the old HI becomes the new LO
        bracket[HIpos] = bracket[LOpos]
        bracketFval[HIpos] = bracketFval[LOpos]
        bracketGval[HIpos]:copy(bracketGval[LOpos])
      end
      -- the new point becomes the new LO
      bracket[LOpos] = t
      bracketFval[LOpos] = f_new
      bracketGval[LOpos]:copy(g_new)
    end

    if not done and abs((bracket[1] - bracket[2]) * gtd_new) < tolX then
      break
    end
  end

  if LSiter == maxIter then
    verbose("reached max number of iterations")
  end

  -- the lowest point of the bracket
  local LOpos = 1
  if #bracketFval == 2 then LOpos = argmin2(bracketFval[1], bracketFval[2]) end
  t = bracket[LOpos]
  f_new = bracketFval[LOpos]
  g_new = bracketGval[LOpos]
  x:copy(x_init)
  x:add(t, d)
  return f_new, g_new, x, t, lsFuncEval
end

return optim.lswolfe
