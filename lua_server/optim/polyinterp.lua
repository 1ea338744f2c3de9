-- optim.polyinterp(points [, xminBound] [, xmaxBound]) -> minPos, fmin
-- The minimum of the polynomial interpolating N points (x, f(x), f'(x)), rows of the Nx3
-- tensor `points` (torch/optim's helper for lswolfe). Two points and no bounds take
-- Torch7's closed-form cubic; otherwise the degree 2N-1 polynomial is fitted exactly and
-- its critical points inside [xminBound, xmaxBound] (default: the points' range) are
-- compared with the bounds and the points themselves; the midpoint is the fallback.
-- Torch7 solves the fit with torch.gels and finds the roots with torch.eig; both are done
-- here in plain Lua on numbers (the fit is square, so least squares is an exact solve),
-- which agrees with Torch7 to rounding.
local torch = require "torch"
local optim = require "optim.env"

local sqrt, abs, max, min, huge = math.sqrt, math.abs, math.max, math.min, math.huge
local error = error

local M = {}

-- index (1 or 2) of the smaller of a, b the way TH's min reduction picks it: the first
-- on ties, and a NaN wins
local function argmin2(a, b)
  if a ~= a then return 1 end
  if not (b >= a) then return 2 end
  return 1
end
M.argmin2 = argmin2

-- Torch7's closed form for two points (p[i] = {x, f, g}), x2 being the farther point:
--   d1 = g1 + g2 - 3*(f1-f2)/(x1-x2) ; d2 = sqrt(d1^2 - g1*g2)
--   t = x2 - (x2-x1)*((g2 + d2 - d1)/(g2 - g1 + 2*d2)), clamped to [x1, x2]
local function cubic2(p)
  local lo = argmin2(p[1][1], p[2][1])
  local a, b = p[lo], p[3 - lo]
  local d1 = a[3] + b[3] - 3 * (a[2] - b[2]) / (a[1] - b[1])
  local d2 = sqrt(d1 ^ 2 - a[3] * b[3])
  if d2 == d2 then
    local t = b[1] - (b[1] - a[1]) * ((b[3] + d2 - d1) / (b[3] - a[3] + 2 * d2))
    return min(max(t, a[1]), b[1])
  end
  return (p[1][1] + p[2][1]) / 2  -- torch.mean of the two positions
end

-- solve the square system A c = b in place (Gaussian elimination, partial pivoting);
-- a singular system gives NaNs, which make the caller fall back to the bounds
local function solve(A, b, n)
  for k = 1, n do
    local piv, best = k, abs(A[k][k])
    for i = k + 1, n do
      if abs(A[i][k]) > best then piv, best = i, abs(A[i][k]) end
    end
    A[k], A[piv] = A[piv], A[k]
    b[k], b[piv] = b[piv], b[k]
    local akk = A[k][k]
    for i = k + 1, n do
      local f = A[i][k] / akk
      if f ~= 0 then
        local Ai, Ak = A[i], A[k]
        for j = k, n do Ai[j] = Ai[j] - f * Ak[j] end
        b[i] = b[i] - f * b[k]
      end
    end
  end
  local c = {}
  for i = n, 1, -1 do
    local s = b[i]
    for j = i + 1, n do s = s - A[i][j] * c[j] end
    c[i] = s / A[i][i]
  end
  return c
end

-- roots of a monic polynomial z^n + a[2] z^(n-1) + ... + a[n+1] (n >= 3) by
-- Durand-Kerner iteration; Torch7 takes the companion matrix's eigenvalues instead.
-- Returns arrays of real and imaginary parts; near-real roots are made exactly real.
local function durand_kerner(a, n)
  local re, im = {}, {}
  local wr, wi = 0.4, 0.9
  local zr, zi = 1, 0
  for k = 1, n do  -- starting points (0.4+0.9i)^k
    zr, zi = zr * wr - zi * wi, zr * wi + zi * wr
    re[k], im[k] = zr, zi
  end
  for _ = 1, 1000 do
    local change = 0
    for k = 1, n do
      local xr, xi = re[k], im[k]
      local pr, pi = 1, 0  -- Horner
      for j = 2, n + 1 do
        pr, pi = pr * xr - pi * xi + a[j], pr * xi + pi * xr
      end
      local qr, qi = 1, 0  -- prod (z_k - z_j)
      for j = 1, n do
        if j ~= k then
          local dr, di = xr - re[j], xi - im[j]
          qr, qi = qr * dr - qi * di, qr * di + qi * dr
        end
      end
      local den = qr * qr + qi * qi
      local sr, si = (pr * qr + pi * qi) / den, (pi * qr - pr * qi) / den
      re[k], im[k] = xr - sr, xi - si
      change = max(change, abs(sr) + abs(si))
    end
    if change ~= change or change <= 1e-15 then break end
  end
  for k = 1, n do
    if abs(im[k]) <= 1e-10 * max(1, abs(re[k])) then im[k] = 0 end
  end
  return re, im
end

-- the roots of c[1] x^(n-1) + ... + c[n] as Torch7's roots() returns them: zero
-- coefficients (|c| < 1e-12) trimmed, one zero root per trailing zero
local function roots(c)
  local first, last = nil, #c
  for i = 1, #c do
    if abs(c[i]) < 1e-12 then c[i] = 0 end
    if c[i] ~= 0 and not first then first = i end
  end
  local re, im = {}, {}
  if not first then return re, im end
  local nz = 0
  while c[last] == 0 do last, nz = last - 1, nz + 1 end
  local n = last - first  -- degree after trimming
  local c1 = c[first]
  if n == 1 then
    re[1], im[1] = -c[first + 1] / c1, 0
  elseif n == 2 then
    -- eigenvalues of the companion matrix [-b -c; 1 0]: z^2 + b z + c = 0
    local b, cc = c[first + 1] / c1, c[first + 2] / c1
    local disc = b * b - 4 * cc
    if disc >= 0 then
      local q = -(b + (b >= 0 and 1 or -1) * sqrt(disc)) / 2
      re[1], im[1] = q, 0
      re[2], im[2] = (q ~= 0) and cc / q or 0, 0
    else
      local s = sqrt(-disc) / 2
      re[1], im[1] = -b / 2, s
      re[2], im[2] = -b / 2, -s
    end
  elseif n > 2 then
    local a = { 1 }
    for j = 1, n do a[j + 1] = c[first + j] / c1 end
    re, im = durand_kerner(a, n)
  end
  for _ = 1, nz do
    re[#re + 1], im[#im + 1] = 0, 0
  end
  return re, im
end

local function polyval(params, x)
  local pwr, val = #params, 0
  for i = 1, #params do
    pwr = pwr - 1
    val = val + params[i] * x ^ pwr
  end
  return val
end

-- the general case on a Lua array of {x, f, g}
local function general(p, xminBound, xmaxBound)
  local nPoints = #p
  local order = nPoints * 2 - 1
  local xmin, xmax = huge, -huge
  for i = 1, nPoints do
    xmin, xmax = min(xmin, p[i][1]), max(xmax, p[i][1])
  end
  xminBound = xminBound or xmin
  xmaxBound = xmaxBound or xmax

  -- constraints on the values, then on the derivatives
  local A, b = {}, {}
  for i = 1, nPoints do
    local row = {}
    for j = order, 0, -1 do row[order - j + 1] = p[i][1] ^ j end
    A[i], b[i] = row, p[i][2]
  end
  for i = 1, nPoints do
    local row = {}
    for j = 1, order do row[j] = (order - j + 1) * p[i][1] ^ (order - j) end
    row[order + 1] = 0
    A[nPoints + i], b[nPoints + i] = row, p[i][3]
  end

  local params = solve(A, b, order + 1)
  for i = 1, #params do
    if abs(params[i]) <= 1e-12 then params[i] = 0 end
  end

  -- critical points
  local dParams, nans = {}, false
  for i = 1, order do
    dParams[i] = params[i] * (order - i + 1)
    if dParams[i] ~= dParams[i] or dParams[i] == huge then nans = true end
  end
  local cre, cim = { xminBound, xmaxBound }, { 0, 0 }
  for i = 1, nPoints do cre[#cre + 1], cim[#cim + 1] = p[i][1], 0 end
  if not nans then
    local rre, rim = roots(dParams)
    for i = 1, #rre do cre[#cre + 1], cim[#cim + 1] = rre[i], rim[i] end
  end

  -- the lowest real critical point inside the bounds; bisection if there is none
  local fmin = huge
  local minPos = (xminBound + xmaxBound) / 2
  for i = 1, #cre do
    local r = cre[i]
    if cim[i] == 0 and r >= xminBound and r <= xmaxBound then
      local fCP = polyval(params, r)
      if fCP < fmin then
        minPos, fmin = r, fCP
      end
    end
  end
  return minPos, fmin
end

-- p: Lua array of {x, f, g}
function M.interp(p, xminBound, xmaxBound)
  if #p == 2 and not xminBound and not xmaxBound then
    return cubic2(p)
  end
  return general(p, xminBound, xmaxBound)
end

function optim.polyinterp(points, xminBound, xmaxBound)
  if not torch.isTensor(points) or points:dim() ~= 2 or points:size(2) ~= 3 then
    error("optim.polyinterp: points must be an Nx3 tensor of (x, f(x), f'(x)) rows", 2)
  end
  local p = {}
  for i = 1, points:size(1) do
    local row = points[i]
    p[i] = { row[1], row[2], row[3] }
  end
  return M.interp(p, xminBound, xmaxBound)
end

return M
