-- Torch7's LAPACK solvers as torch.* functions (Torch7 has no method forms for them):
-- gesv gels trtrs inverse potrf potrs potri pstrf, with Torch7's calling forms, option
-- strings, errors and result layouts (see lapack_common.lua), on ATen's linear algebra.
local aten = require "aten"
local torch = require "torch.env"
local L = require "torch.lapack_common"
local pstrf_kernel = require "torch.pstrf"

local call = aten.call
local parse, arg_check, work_matrix, view, copy_back, store, item =
  L.parse, L.arg_check, L.work_matrix, L.lapack_view, L.copy_back, L.store, L.item
local lapack_error = L.lapack_error
local max = math.max

local UPLO = { "U", "L", default = "U" }

-- checks shared by the (b, a) solvers; raised for the caller of torch.<name>
local function check_system(name, b, a, square)
  arg_check(a:dim() == 2, 2, name, 4, "A should have 2 dimensions, but has %d", a:dim())
  arg_check(b:dim() == 1 or b:dim() == 2, 1, name, 4, "B should have 1 or 2 dimensions, but has %d", b:dim())
  if square then
    arg_check(a:size(1) == a:size(2), 2, name, 4, "A should be square, but is %dx%d", a:size(1), a:size(2))
  end
  arg_check(a:size(1) == b:size(1), 2, name, 4, "A,B size incompatible - A has %d rows, B has %d",
    a:size(1), b:size(1))
end

local function check_square(name, a)
  arg_check(a:dim() == 2, 1, name, 4, "A should be 2 dimensional")
  arg_check(a:size(1) == a:size(2), 1, name, 4, "A should be square")
end

-- first i with A(i,i) == 0, or nil
local function zero_on_diagonal(A)
  local d = call("diagonal", A, 0, 0, 1)
  local zeros = call("nonzero", call("eq.Scalar", d, 0))
  if call("numel", zeros) == 0 then return nil end
  return item(call("min", zeros)) + 1
end

local function triangle(A, uplo)
  return uplo == "U" and call("triu", A, 0) or call("tril", A, 0)
end

---------------------------------------------------------------------------- gesv

local function gesv(rb, ra, b, a)
  check_system("gesv", b, a, true)
  b = L.as_matrix(b)
  local n, nrhs = a:size(1), b:size(2)
  local wa, wb = work_matrix(ra, a), work_matrix(rb, b)
  local A, B = view(wa, n, n), view(wb, n, nrhs)
  local lu, piv, info = call("linalg_lu_factor_ex", A, true, false)
  store(A, lu)
  info = item(info)
  if info > 0 then lapack_error("Lapack Error in gesv : U(%d,%d) is zero, singular U.", info, info) end
  store(B, call("linalg_lu_solve", lu, piv, B, true, false))
  copy_back(wa, ra)
  copy_back(wb, rb)
  return rb, ra
end

local gesv_spec = { name = "gesv", nres = 2, nin = 2 }
function torch.gesv(...)
  local res, ins = parse(gesv_spec, ...)
  local x, lu = gesv(res[1], res[2], ins[1], ins[2])
  return x, lu
end

---------------------------------------------------------------------------- trtrs

local function trtrs(rb, ra, b, a, uplo, trans, diag)
  check_system("trtrs", b, a, true)
  b = L.as_matrix(b)
  local n, nrhs = a:size(1), b:size(2)
  local wa, wb = work_matrix(ra, a), work_matrix(rb, b)
  local A, B = view(wa, n, n), view(wb, n, nrhs)
  if diag == "N" then
    local i = zero_on_diagonal(A)
    if i then lapack_error("Lapack Error in trtrs : A(%d,%d) is zero, singular A", i, i) end
  end
  local op, upper = A, uplo == "U"
  if trans == "T" then op, upper = call("t", A), not upper end
  store(B, call("linalg_solve_triangular", op, B, upper, true, diag == "U"))
  copy_back(wa, ra)
  copy_back(wb, rb)
  return rb, ra
end

local trtrs_spec = { name = "trtrs", nres = 2, nin = 2,
  opts = { UPLO, { "N", "T", default = "N" }, { "N", "U", default = "N" } } }
function torch.trtrs(...)
  local res, ins, o = parse(trtrs_spec, ...)
  local x, ra = trtrs(res[1], res[2], ins[1], ins[2], o[1], o[2], o[3])
  return x, ra
end

---------------------------------------------------------------------------- gels

-- Least squares / minimum norm by xGELS's own steps: QR (m >= n) or LQ (m < n, done as
-- the QR of A'), so the factor left in A and the rows of B past n match LAPACK's.
local function gels(rb, ra, b, a)
  arg_check(a:dim() == 2, 2, "gels", 3, "A should have 2 dimensions, but has %d", a:dim())
  arg_check(b:dim() == 1 or b:dim() == 2, 1, "gels", 3, "B should have 1 or 2 dimensions, but has %d", b:dim())
  arg_check(a:size(1) == b:size(1), 2, "gels", 3, "A,B size incompatible - A has %d rows, B has %d",
    a:size(1), b:size(1))
  b = L.as_matrix(b)
  local m, n, nrhs = a:size(1), a:size(2), b:size(2)
  local ldb = max(m, n)
  local wa = work_matrix(ra, a)
  local wb = work_matrix(rb, b, ldb)
  local A, B = view(wa, m, n), view(wb, ldb, nrhs)
  local k = math.min(m, n)
  local qr, tau
  if m >= n then
    qr, tau = call("geqrf", A)
    store(A, qr)
  else
    qr, tau = call("geqrf", call("t", A))
    store(A, call("t", qr))
  end
  local R = call("narrow", call("narrow", qr, 0, 0, k), 1, 0, k)
  local zero = zero_on_diagonal(R)
  if zero then
    lapack_error("Lapack Error in gels : The %d-th diagonal element of the triangular factor of A is zero", zero)
  end
  if m >= n then
    local qtb = call("ormqr", qr, tau, B, true, true)
    local top = call("narrow", qtb, 0, 0, n)
    aten.run("copy_", top, call("linalg_solve_triangular", R, top, true, true, false), false)
    store(B, qtb)
  else
    local y = call("linalg_solve_triangular", call("t", R), call("narrow", B, 0, 0, m), false, true, false)
    local full = call("zeros_like", B)
    aten.run("copy_", call("narrow", full, 0, 0, m), y, false)
    store(B, call("ormqr", qr, tau, full, true, false))
  end
  -- LAPACK's solution is the first n rows of B (leading dimension kept)
  if rawequal(wb, rb) then
    wb:set(wb:storage(), wb:storageOffset(), torch.LongStorage({ n, nrhs }), wb:stride())
  else
    L.resize2d(rb, n, nrhs)
    rb:copy(wb:narrow(1, 1, n))
  end
  copy_back(wa, ra)
  return rb, ra
end

local gels_spec = { name = "gels", nres = 2, nin = 2 }
function torch.gels(...)
  local res, ins = parse(gels_spec, ...)
  local x, qr = gels(res[1], res[2], ins[1], ins[2])
  return x, qr
end

---------------------------------------------------------------------------- inverse

local function inverse(ra, a)
  check_square("inverse", a)
  local n = a:size(1)
  local wa = work_matrix(ra, a)
  local A = view(wa, n, n)
  local inv, info = call("linalg_inv_ex", A, false)
  info = item(info)
  if info > 0 then lapack_error("Lapack Error getrf : U(%d,%d) is 0, U is singular", info, info) end
  store(A, inv)
  copy_back(wa, ra)
  return ra
end

local inverse_spec = { name = "inverse", nres = 1, nin = 1 }
function torch.inverse(...)
  local res, ins = parse(inverse_spec, ...)
  local r = inverse(res[1], ins[1])
  return r
end

---------------------------------------------------------------------------- potrf potrs potri

local function potrf(ra, a, uplo)
  check_square("potrf", a)
  local n = a:size(1)
  local wa = work_matrix(ra, a)
  local A = view(wa, n, n)
  local f, info = call("linalg_cholesky_ex", A, uplo == "U", false)
  info = item(info)
  if info > 0 then
    lapack_error("Lapack Error in potrf : the leading minor of order %d is not positive definite", info)
  end
  store(A, f)
  copy_back(wa, ra)
  return ra
end

local potrf_spec = { name = "potrf", nres = 1, nin = 1, opts = { UPLO } }
function torch.potrf(...)
  local res, ins, o = parse(potrf_spec, ...)
  local r = potrf(res[1], ins[1], o[1])
  return r
end

local function potrs(rb, b, a, uplo)
  check_system("potrs", b, a, true)
  b = L.as_matrix(b)
  local n, nrhs = a:size(1), b:size(2)
  local wa, wb = work_matrix(a.new(), a), work_matrix(rb, b)
  local A, B = view(wa, n, n), view(wb, n, nrhs)
  store(B, call("cholesky_solve", B, triangle(A, uplo), uplo == "U"))
  copy_back(wb, rb)
  return rb
end

local potrs_spec = { name = "potrs", nres = 1, nin = 2, opts = { UPLO } }
function torch.potrs(...)
  local res, ins, o = parse(potrs_spec, ...)
  local r = potrs(res[1], ins[1], ins[2], o[1])
  return r
end

local function potri(ra, a, uplo)
  check_square("potri", a)
  local n = a:size(1)
  local wa = work_matrix(ra, a)
  local A = view(wa, n, n)
  local i = zero_on_diagonal(A)
  if i then lapack_error("Lapack Error potri : A(%d,%d) is 0, A cannot be factorized", i, i) end
  store(A, call("cholesky_inverse", triangle(A, uplo), uplo == "U"))
  copy_back(wa, ra)
  return ra
end

local potri_spec = { name = "potri", nres = 1, nin = 1, opts = { UPLO } }
function torch.potri(...)
  local res, ins, o = parse(potri_spec, ...)
  local r = potri(res[1], ins[1], o[1])
  return r
end

---------------------------------------------------------------------------- pstrf

local function pstrf(ra, rpiv, a, uplo, tol)
  check_square("pstrf", a)
  local n = a:size(1)
  local wa = work_matrix(ra, a)
  L.resize1d(rpiv, n)
  local A = view(wa, n, n)
  -- the lower case is the upper one on the transpose
  local rows = L.to_rows(uplo == "U" and A or call("t", A), n, n)
  local eps = torch.type(a) == "torch.FloatTensor" and pstrf_kernel.EPS_FLOAT or pstrf_kernel.EPS_DOUBLE
  local piv, _, info = pstrf_kernel.factor_upper(rows, n, tol, eps)
  if info > 0 then
    lapack_error("Lapack Error pstrf : matrix is rank deficient or not positive semidefinite")
  end
  local u = call("triu", L.from_rows(rows, n, n), 0)
  store(A, uplo == "U" and u or call("t", u))
  for i = 1, n do rpiv[i] = piv[i] end
  copy_back(wa, ra)
  return ra, rpiv
end

local pstrf_spec = { name = "pstrf", nres = 2, nin = 1, int_results = { false, true },
  opts = { UPLO, { number = true, default = -1 } } }
function torch.pstrf(...)
  local res, ins, o = parse(pstrf_spec, ...)
  local f, piv = pstrf(res[1], res[2], ins[1], o[1], o[2])
  return f, piv
end

return torch
