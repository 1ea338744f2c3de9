-- Torch7's LAPACK decompositions as torch.* functions: eig symeig svd qr geqrf orgqr ormqr,
-- with Torch7's calling forms, option strings and result layouts (lapack_common.lua).
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"
local L = require "torch.lapack_common"

local call = aten.call
local parse, arg_check, work_matrix, view, copy_back, store =
  L.parse, L.arg_check, L.work_matrix, L.lapack_view, L.copy_back, L.store
local resize1d, resize2d = L.resize1d, L.resize2d
local min = math.min

local function check_2d(name, a)
  arg_check(a:dim() == 2, 1, name, 4, "A should be 2 dimensional")
end

local function check_square(name, a)
  check_2d(name, a)
  arg_check(a:size(1) == a:size(2), 1, name, 4, "A should be square")
end

-- Torch7's newTransposedContiguous: t itself when it is column-major, else t transposed in
-- place when contiguous, else a new column-major tensor of t's transposed shape.
local function column_major_work(t)
  if L.is_col_major(t) then return t end
  if t:isContiguous() then
    aten.run("transpose_", t._h, 0, 1)
    return t
  end
  local w = t.new()
  resize2d(w, t:size(1), t:size(2))
  aten.run("transpose_", w._h, 0, 1)
  return w
end

local function narrow(h, dim, start, len) return call("narrow", h, dim, start, len) end

---------------------------------------------------------------------------- eig

-- geev's real form of the eigenvectors: a complex pair j, j+1 (imaginary part > 0 first)
-- is stored as the real and imaginary parts of vector j.
local function real_eigenvectors(vecs, imag, n)
  local parts = call("view_as_real", vecs)              -- n x n x 2
  local v = call("clone", call("select.int", parts, 2, 0), 0)
  local j = 1
  while j <= n do
    if imag[j] > 0 and j < n then
      aten.run("copy_", narrow(v, 1, j, 1), narrow(call("select.int", parts, 2, 1), 1, j - 1, 1), false)
      j = j + 2
    else
      j = j + 1
    end
  end
  return v
end

local function eig(re, rv, a, jobvr)
  check_square("eig", a)
  local n = a:size(1)
  -- linalg_eig (not eigvals) also for 'N': it refuses NaN/Inf input instead of handing it
  -- to LAPACK, which complains on stderr
  local vals, vecs = call("linalg_eig", a._h)
  local e = core.wrap(call("view_as_real", vals))
  if jobvr == "V" then
    resize2d(rv, n, n)
    local work = column_major_work(rv)
    local imag = e:select(2, 2):totable()
    store(work._h, real_eigenvectors(vecs, imag, n))
    copy_back(work, rv)
  end
  resize2d(re, n, 2)
  re:copy(e)
  return re, rv
end

local eig_spec = { name = "eig", nres = 2, nin = 1, opts = { { "N", "V", default = "N" } } }
function torch.eig(...)
  local res, ins, o = parse(eig_spec, ...)
  local e, v = eig(res[1], res[2], ins[1], o[1])
  return e, v
end

---------------------------------------------------------------------------- symeig

local function symeig(re, rv, a, jobz, uplo)
  check_square("symeig", a)
  local n = a:size(1)
  local work = work_matrix(rv, a)
  local A = view(work, n, n)
  local vals
  if jobz == "V" then
    local vecs
    vals, vecs = call("linalg_eigh", A, uplo)
    store(A, vecs)
  else
    vals = call("linalg_eigvalsh", A, uplo)  -- A keeps the input copy: xSYEV's leftovers differ
  end
  resize1d(re, n)
  re:copy(core.wrap(vals))
  copy_back(work, rv)
  return re, rv
end

local symeig_spec = { name = "symeig", nres = 2, nin = 1,
  opts = { { "N", "V", default = "N" }, { "U", "L", default = "U" } } }
function torch.symeig(...)
  local res, ins, o = parse(symeig_spec, ...)
  local e, v = symeig(res[1], res[2], ins[1], o[1], o[2])
  return e, v
end

---------------------------------------------------------------------------- svd

local function svd(ru, rs, rv, a, jobu)
  check_2d("svd", a)
  local m, n = a:size(1), a:size(2)
  local k = min(m, n)
  local full = jobu == "A"
  local U, S, Vh = call("linalg_svd", a._h, full, nil)
  resize1d(rs, k)
  rs:copy(core.wrap(S))
  -- U comes back column-major (m x ucols); a wrongly laid out ru receives it in element order
  local ucols = full and m or k
  resize2d(ru, ucols, m)
  L.transpose_if_contiguous(ru)
  local uwork = column_major_work(ru)
  store(uwork._h, U)
  copy_back(uwork, ru)
  -- V is returned row-major (n x vcols)
  local V = call("t", Vh)
  resize2d(rv, n, full and n or k)
  rv:copy(core.wrap(V))
  return ru, rs, rv
end

local svd_spec = { name = "svd", nres = 3, nin = 1, opts = { { "A", "S", default = "S" } } }
function torch.svd(...)
  local res, ins, o = parse(svd_spec, ...)
  local u, s, v = svd(res[1], res[2], res[3], ins[1], o[1])
  return u, s, v
end

---------------------------------------------------------------------------- geqrf orgqr ormqr qr

local function geqrf(ra, rtau, a)
  check_2d("geqrf", a)
  local m, n = a:size(1), a:size(2)
  local work = work_matrix(ra, a)
  local A = view(work, m, n)
  resize1d(rtau, min(m, n))
  local f, tau = call("geqrf", A)
  store(A, f)
  rtau:copy(core.wrap(tau))
  copy_back(work, ra)
  return ra, rtau
end

local geqrf_spec = { name = "geqrf", nres = 2, nin = 1 }
function torch.geqrf(...)
  local res, ins = parse(geqrf_spec, ...)
  local m, tau = geqrf(res[1], res[2], ins[1])
  return m, tau
end

-- xORGQR(m, k, k): the first k columns of the work matrix become Q's; the rest keep a's
local function orgqr(ra, a, tau)
  check_2d("orgqr", a)
  local m, n, k = a:size(1), a:size(2), tau:size(1)
  arg_check(k <= n and k <= m, 2, "orgqr", 3, "%d reflectors do not fit A of size %dx%d", k, m, n)
  local work = work_matrix(ra, a)
  local reflectors = narrow(view(work, m, n), 1, 0, k)
  store(reflectors, call("linalg_householder_product", reflectors, tau._h))
  copy_back(work, ra)
  return ra
end

local orgqr_spec = { name = "orgqr", nres = 1, nin = 2 }
function torch.orgqr(...)
  local res, ins = parse(orgqr_spec, ...)
  local q = orgqr(res[1], ins[1], ins[2])
  return q
end

local function ormqr(ra, a, tau, c, side, trans)
  check_2d("ormqr", a)
  arg_check(c:dim() == 2, 4, "ormqr", 3, "C should be 2 dimensional")
  local m, n, k = c:size(1), c:size(2), tau:size(1)
  local nq = side == "L" and m or n
  arg_check(k <= nq and k <= a:size(2), 3, "ormqr", 3,
    "%d reflectors do not fit Q of order %d built from A of size %s", k, nq, core.size_string(a))
  local work = work_matrix(ra, c)
  local C = view(work, m, n)
  -- LAPACK reads a's data with leading dimension m (side L) or n (side R)
  local lda = side == "L" and m or n
  local A = view(a, lda, k)
  store(C, call("ormqr", A, tau._h, C, side == "L", trans == "T"))
  copy_back(work, ra)
  return ra
end

local ormqr_spec = { name = "ormqr", nres = 1, nin = 3,
  opts = { { "L", "R", default = "L" }, { "N", "T", default = "N" } } }
function torch.ormqr(...)
  local res, ins, o = parse(ormqr_spec, ...)
  local r = ormqr(res[1], ins[1], ins[2], ins[3], o[1], o[2])
  return r
end

-- Q (m x k, column-major) and R (k x n, upper trapezoidal) through geqrf and orgqr
local function qr(rq, rr, a)
  check_2d("qr", a)
  local m, n = a:size(1), a:size(2)
  local k = min(m, n)
  local f, tau = geqrf(a.new(), a.new(), a)
  resize2d(rr, k, n)
  rr:copy(core.wrap(call("triu", narrow(f._h, 0, 0, k), 0)))
  resize2d(rq, m, k)
  orgqr(rq, f, tau)
  rq:set(rq:storage(), rq:storageOffset(), torch.LongStorage({ m, k }), rq:stride())
  return rq, rr
end

local qr_spec = { name = "qr", nres = 2, nin = 1 }
function torch.qr(...)
  local res, ins = parse(qr_spec, ...)
  local q, r = qr(res[1], res[2], ins[1])
  return q, r
end

return torch
