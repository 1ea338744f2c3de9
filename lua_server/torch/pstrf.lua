-- Cholesky factorisation with complete pivoting of a symmetric positive semidefinite
-- matrix, with the semantics of LAPACK's xPSTF2 (what xPSTRF runs below its block size):
-- P' A P = U' U (or L L'), pivot order, rank, and the stop test `pivot <= tol` (tol < 0
-- means n * eps * max(diag(A))). ATen has no such kernel; this works on Lua arrays.
local sqrt = math.sqrt

local M = {}

-- unit roundoff as LAPACK's xLAMCH('Epsilon') reports it (half the machine epsilon)
M.EPS_DOUBLE = 2 ^ -53
M.EPS_FLOAT = 2 ^ -24

local function swap(a, i1, j1, i2, j2)
  a[i1][j1], a[i2][j2] = a[i2][j2], a[i1][j1]
end

--- factor_upper(a, n, tol, eps) -> piv, rank, info. `a` is a Lua array of rows (a[i][j],
-- 1-based) of which only the upper triangle is read; it is overwritten by U in the upper
-- triangle. info is 1 when the factorisation stopped early (rank < n or not semidefinite).
function M.factor_upper(a, n, tol, eps)
  local piv, work, cand = {}, {}, {}
  for i = 1, n do piv[i] = i end
  local pvt, ajj = 1, a[1][1]
  for i = 2, n do
    if a[i][i] > ajj then pvt, ajj = i, a[i][i] end
  end
  if not (ajj > 0) then return piv, 0, 1 end
  local stop = tol < 0 and n * eps * ajj or tol
  for i = 1, n do work[i] = 0 end

  for j = 1, n do
    for i = j, n do
      if j > 1 then work[i] = work[i] + a[j - 1][i] ^ 2 end
      cand[i] = a[i][i] - work[i]
    end
    if j > 1 then
      pvt, ajj = j, cand[j]
      for i = j + 1, n do
        if cand[i] > ajj then pvt, ajj = i, cand[i] end
      end
      if ajj <= stop or ajj ~= ajj then
        a[j][j] = ajj
        return piv, j - 1, 1
      end
    end
    if j ~= pvt then
      -- symmetric swap of rows/columns j and pvt, touching only the upper triangle
      a[pvt][pvt] = a[j][j]
      for i = 1, j - 1 do swap(a, i, j, i, pvt) end
      for c = pvt + 1, n do swap(a, j, c, pvt, c) end
      for k = j + 1, pvt - 1 do swap(a, j, k, k, pvt) end
      work[j], work[pvt] = work[pvt], work[j]
      piv[j], piv[pvt] = piv[pvt], piv[j]
    end
    ajj = sqrt(ajj)
    a[j][j] = ajj
    for c = j + 1, n do
      local dot = 0
      for i = 1, j - 1 do dot = dot + a[i][c] * a[i][j] end
      a[j][c] = (a[j][c] - dot) * (1 / ajj)
    end
  end
  return piv, n, 0
end

return M
