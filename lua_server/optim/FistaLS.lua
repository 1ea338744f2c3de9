-- optim.FistaLS(f, g, pl, xinit [, params]) -> x, history
-- FISTA with backtracking (Beck & Teboulle 2009) for min f(x) + g(x), f smooth, g not:
-- f(x, 'dx') returns f and its gradient, f(x) the value; g(x) the value; pl(x, L) solves the
-- proximal step in place. Each iteration steps from y along -grad/L, raising L by Lstep
-- until f(x) <= Q (at most maxline times), then moves y with FISTA's momentum.
-- params: L (0.1), Lstep (1.5), maxiter (50), maxline (20), errthres (1e-4),
-- doFistaUpdate, verbose; params.L and the buffers xkm, y, ply are kept for the next call.
-- history[i]: nline, L, F (= f + g), Fply, Gply, Q (and xk, y when verbose).
local torch = require "torch"
local optim = require "optim.env"

function optim.FistaLS(f, g, pl, xinit, params)
  params = params or {}
  local L = params.L or 0.1
  local Lstep = params.Lstep or 1.5
  local maxiter = params.maxiter or 50
  local maxline = params.maxline or 20
  local errthres = params.errthres or 1e-4
  local doFistaUpdate = params.doFistaUpdate
  local verbose = params.verbose

  params.xkm = params.xkm or torch.Tensor()
  params.y = params.y or torch.Tensor()
  params.ply = params.ply or torch.Tensor()
  local xkm, y, ply = params.xkm, params.y, params.ply  -- previous x, FISTA point, prox step

  local xk = xinit
  xkm:resizeAs(xk):zero()
  ply:resizeAs(xk):zero()
  y:resizeAs(xk):zero()   -- Torch7 starts y at zero, not at xinit

  local history = {}
  local niter = 0
  local tk, tkp = 1, 0
  local fval = math.huge
  g(y)
  while niter < maxiter do
    local fy, gfy = f(y, "dx")
    local fply, gply, Q = 0, 0, 0
    local nline = 0
    local searching = true
    while searching do
      ply:copy(y)
      ply:add(-1 / L, gfy)
      pl(ply, L)
      xk:copy(ply)
      fply = f(ply)
      ply:add(-1, y)
      local Q2 = gfy:dot(ply)
      local Q3 = L / 2 * ply:dot(ply)
      Q = fy + Q2 + Q3
      if verbose then
        print(string.format("nline=%d L=%g fply=%g Q=%g fy=%g Q2=%g Q3=%g", nline, L, fply, Q, fy, Q2, Q3))
      end
      if fply <= Q then
        searching = false
      elseif nline >= maxline then
        searching = false
        xk:copy(xkm)  -- no better point: stay where the last iteration was
      else
        L = L * Lstep
      end
      nline = nline + 1
    end

    if doFistaUpdate then
      tkp = (1 + math.sqrt(1 + 4 * tk * tk)) / 2
      xkm:add(-1, xk)
      y:copy(xk)
      y:add((1 - tk) / tkp, xkm)
      xkm:copy(xk)
    else
      y:copy(xk)
    end
    tk = tkp
    fply = f(y)
    gply = g(y)
    if verbose then
      print(string.format("iter=%d eold=%g enew=%g", niter, fval, fply + gply))
    end
    niter = niter + 1
    fval = fply + gply
    history[niter] = { nline = nline, L = L, F = fval, Fply = fply, Gply = gply, Q = Q }
    params.L = L
    if verbose then
      history[niter].xk = xk:clone()
      history[niter].y = y:clone()
    end
    if (niter > 1 and math.abs(history[niter].F - history[niter - 1].F) <= errthres) or niter >= maxiter then
      xinit:copy(y)
      return y, history
    end
  end
  xinit:copy(y)
  return y, history
end

return optim.FistaLS
