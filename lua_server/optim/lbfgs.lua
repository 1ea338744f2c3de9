-- optim.lbfgs(opfunc, x [, config] [, state]) -> x*, f_hist, currentFuncEval
-- L-BFGS after minFunc (M. Schmidt), in torch/optim's order. Without config.lineSearch it
-- takes fixed steps of learningRate (the first one scaled by min(1, 1/sum|g|)); with one
-- (e.g. optim.lswolfe) it calls lineSearch(opfunc, x, t, d, f, g, gtd, lineSearchOptions).
-- f_hist[1] is f(x) before optimizing, f_hist[#f_hist] the last value computed.
-- config: maxIter (20), maxEval (maxIter*1.25), tolFun (1e-5), tolX (1e-9),
-- nCorrection (100), lineSearch, lineSearchOptions, learningRate (1), verbose (false).
-- state (defaults to config): funcEval, nIter, d, t, old_dirs, old_stps, Hdiag, g_old,
-- f_old, tmp1, dir_bufs, stp_bufs, ro, al.
local torch = require "torch"
local optim = require "optim.env"

local abs, min = math.abs, math.min
local type, tonumber, print, getmetatable = type, tonumber, print, getmetatable
local tinsert, tremove = table.insert, table.remove

local function callable(f)
  if type(f) == "function" then return true end
  local mt = getmetatable(f)
  return type(mt) == "table" and mt.__call ~= nil
end

function optim.lbfgs(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local maxIter = tonumber(config.maxIter) or 20
  local maxEval = tonumber(config.maxEval) or maxIter * 1.25
  local tolFun = config.tolFun or 1e-5
  local tolX = config.tolX or 1e-9
  local nCorrection = config.nCorrection or 100
  local lineSearch = config.lineSearch
  local lineSearchOpts = config.lineSearchOptions
  local learningRate = config.learningRate or 1
  local verbose = function() end
  if config.verbose then
    verbose = function(...) print("<optim.lbfgs> ", ...) end
  end

  state.funcEval = state.funcEval or 0
  state.nIter = state.nIter or 0

  -- evaluate initial f(x) and df/dx
  local f, g = opfunc(x)
  local f_hist = { f }
  local currentFuncEval = 1
  state.funcEval = state.funcEval + 1
  local p = g:size(1)

  -- already optimal?
  state.tmp1 = state.tmp1 or g.new(g:size()):zero()
  local tmp1 = state.tmp1
  tmp1:copy(g):abs()
  if tmp1:sum() <= tolFun then
    verbose("optimality condition below tolFun")
    return x, f_hist
  end

  -- reusable buffers for the y's and s's, and their histories
  if not state.dir_bufs then
    verbose("creating recyclable direction/step/history buffers")
    state.dir_bufs = g.new(nCorrection + 1, p):split(1)
    state.stp_bufs = g.new(nCorrection + 1, p):split(1)
    for i = 1, #state.dir_bufs do
      state.dir_bufs[i] = state.dir_bufs[i]:squeeze(1)
      state.stp_bufs[i] = state.stp_bufs[i]:squeeze(1)
    end
  end

  -- variables cached in state (for tracing)
  local d = state.d
  local t = state.t
  local old_dirs = state.old_dirs
  local old_stps = state.old_stps
  local Hdiag = state.Hdiag
  local g_old = state.g_old
  local f_old = state.f_old

  local nIter = 0
  while nIter < maxIter do
    nIter = nIter + 1
    state.nIter = state.nIter + 1

    -- descent direction
    if state.nIter == 1 then
      d = g:clone():mul(-1)
      old_dirs = {}
      old_stps = {}
      Hdiag = 1
    else
      -- update the memory (old_dirs holds the s's, old_stps the y's, as in Torch7)
      local y = tremove(state.dir_bufs)
      local s = tremove(state.stp_bufs)
      y:add(g, -1, g_old)   -- g - g_old
      s:mul(d, t)           -- d*t
      local ys = y:dot(s)
      if ys > 1e-10 then
        if #old_dirs == nCorrection then
          -- limited memory: recycle the oldest pair
          tinsert(state.dir_bufs, tremove(old_dirs, 1))
          tinsert(state.stp_bufs, tremove(old_stps, 1))
        end
        tinsert(old_dirs, s)
        tinsert(old_stps, y)
        Hdiag = ys / y:dot(y)
      else
        tinsert(state.dir_bufs, y)
        tinsert(state.stp_bufs, s)
      end

      -- two-loop recursion: d = -H*g with the L-BFGS inverse Hessian
      local k = #old_dirs
      state.ro = state.ro or torch.Tensor(nCorrection)
      local ro = state.ro
      for i = 1, k do
        ro[i] = 1 / old_stps[i]:dot(old_dirs[i])
      end

      local q = tmp1
      state.al = state.al or torch.zeros(nCorrection)
      local al = state.al
      q:mul(g, -1)
      for i = k, 1, -1 do
        al[i] = old_dirs[i]:dot(q) * ro[i]
        q:add(-al[i], old_stps[i])
      end

      -- multiply by the initial Hessian; r shares d's buffer
      local r = d
      r:mul(q, Hdiag)
      for i = 1, k do
        local be_i = old_stps[i]:dot(r) * ro[i]
        r:add(al[i] - be_i, old_dirs[i])
      end
    end
    g_old = g_old or g:clone()
    g_old:copy(g)
    f_old = f

    -- directional derivative: stop if no descent is possible along d
    local gtd = g:dot(d)
    if gtd > -tolX then
      break
    end

    -- initial step size
    if state.nIter == 1 then
      tmp1:copy(g):abs()
      t = min(1, 1 / tmp1:sum()) * learningRate
    else
      t = learningRate
    end

    local lsFuncEval = 0
    if lineSearch and callable(lineSearch) then
      f, g, x, t, lsFuncEval = lineSearch(opfunc, x, t, d, f, g, gtd, lineSearchOpts)
      tinsert(f_hist, f)
    else
      -- fixed step; the last iteration does not re-evaluate (no use when stochastic)
      x:add(t, d)
      if nIter ~= maxIter then
        f, g = opfunc(x)
        lsFuncEval = 1
        tinsert(f_hist, f)
      end
    end

    currentFuncEval = currentFuncEval + lsFuncEval
    state.funcEval = state.funcEval + lsFuncEval

    -- stopping conditions
    if nIter == maxIter then
      verbose("reached max number of iterations")
      break
    end
    if currentFuncEval >= maxEval then
      verbose("max nb of function evals")
      break
    end
    tmp1:copy(g):abs()
    if tmp1:sum() <= tolFun then
      verbose("optimality condition below tolFun")
      break
    end
    tmp1:copy(d):mul(t):abs()
    if tmp1:sum() <= tolX then
      verbose("step size below tolX")
      break
    end
    if abs(f - f_old) < tolX then
      verbose("function value changing less than tolX")
      break
    end
  end

  state.old_dirs = old_dirs
  state.old_stps = old_stps
  state.Hdiag = Hdiag
  state.g_old = g_old
  state.f_old = f_old
  state.t = t
  state.d = d

  return x, f_hist, currentFuncEval
end

return optim.lbfgs
