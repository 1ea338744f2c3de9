-- What every Torch7 LAPACK wrapper shares: its calling forms ([results...,] inputs...,
-- options...) with cwrap's errors, and the layout rules of TH's THTensorLapack.c.
-- LAPACK sees a matrix as a data pointer and a leading dimension, column-major; Torch7
-- copies each input into a "work" tensor laid out that way (often the caller's result
-- tensor) and copies the work tensor back into the result at the end. We keep those rules
-- so results have Torch7's sizes, strides and offsets, and do the arithmetic in ATen on
-- the column-major view of the work tensor's data (what LAPACK would have read).
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local call, run = aten.call, aten.run
local isTensor = core.isTensor
local type, error, select, rawequal, concat = type, error, select, rawequal, table.concat

local L = {}

local function short_type(v)
  if isTensor(v) then return (torch.type(v):gsub("^torch%.", "")) end
  return type(v)
end

-- cwrap's "invalid arguments" error. `level` is counted from the caller of raise_invalid.
local function raise_invalid(expected, level, ...)
  local got = {}
  for i = 1, select("#", ...) do got[i] = short_type((select(i, ...))) end
  error("invalid arguments: " .. concat(got, " ") .. " \nexpected arguments: " .. expected, level + 1)
end
L.raise_invalid = raise_invalid

local function expected_forms(spec, tname)
  local full, short = {}, {}
  for i = 1, spec.nres do
    full[#full + 1] = "*" .. ((spec.int_results or {})[i] and "IntTensor" or tname) .. "*"
  end
  for _ = 1, spec.nin do
    full[#full + 1] = tname
    short[#short + 1] = tname
  end
  for _, opt in ipairs(spec.opts or {}) do
    local o = opt.number and "[number]" or ("[(" .. concat(opt, "|") .. ")]")
    full[#full + 1] = o
    short[#short + 1] = o
  end
  return concat(full, " ") .. " | " .. concat(short, " ")
end

local lapack_types = { ["torch.DoubleTensor"] = true, ["torch.FloatTensor"] = true }

--- parse(spec, ...) -> results, inputs, options. spec = {name, nres, nin, opts, int_results}:
-- torch.<name>([res1, ..., resN,] in1, ..., inM [, option...]); missing results are new
-- tensors. Errors are raised at the level of the code that called torch.<name>.
function L.parse(spec, ...)
  local n = select("#", ...)
  local args = { ... }
  local first = args[1]
  if isTensor(first) and not lapack_types[torch.type(first)] then
    error(torch.type(first) .. " does not implement the torch." .. spec.name .. "() function", 3)
  end
  local tname = isTensor(first) and short_type(first) or "DoubleTensor"
  local ntensors = 0
  while ntensors < n and isTensor(args[ntensors + 1]) do ntensors = ntensors + 1 end
  local nres
  if ntensors == spec.nres + spec.nin then nres = spec.nres
  elseif ntensors == spec.nin then nres = 0
  else raise_invalid(expected_forms(spec, tname), 3, ...) end
  local int_results = spec.int_results or {}
  for i = 1, ntensors do
    local want = (i <= nres and int_results[i]) and "torch.IntTensor" or ("torch." .. tname)
    if torch.type(args[i]) ~= want then raise_invalid(expected_forms(spec, tname), 3, ...) end
  end
  local opts = spec.opts or {}
  if n - ntensors > #opts then raise_invalid(expected_forms(spec, tname), 3, ...) end
  local options = {}
  for i, opt in ipairs(opts) do
    local v = args[ntensors + i]
    if v == nil then
      v = opt.default
    elseif opt.number then
      if type(v) ~= "number" then raise_invalid(expected_forms(spec, tname), 3, ...) end
    else
      local ok = false
      for _, allowed in ipairs(opt) do ok = ok or v == allowed end
      if not ok then raise_invalid(expected_forms(spec, tname), 3, ...) end
    end
    options[i] = v
  end
  local results = {}
  for i = 1, spec.nres do
    if i <= nres then results[i] = args[i]
    else
      results[i] = int_results[i] and torch.IntTensor() or torch.getconstructortable("torch." .. tname)()
    end
  end
  local inputs = {}
  for i = 1, spec.nin do inputs[i] = args[nres + i] end
  return results, inputs, options
end

-- TH's THArgCheck message ("bad argument #k to 'name' (why)"), raised for the caller of
-- torch.<name> (level counts from the function that calls arg_check).
function L.arg_check(ok, argn, name, level, fmt, ...)
  if not ok then
    error(string.format("bad argument #%d to '%s' (" .. fmt .. ")", argn, name, ...), level + 1)
  end
end

function L.is_col_major(t)
  local sz, st = core.sizes(t), core.strides(t)
  return #sz == 2 and st[1] == 1 and st[2] == sz[1]
end

local function resize2d(t, rows, cols)
  local sz = core.sizes(t)
  if not (#sz == 2 and sz[1] == rows and sz[2] == cols) then run("resize_", t._h, { rows, cols }) end
end
L.resize2d = resize2d

local function resize1d(t, n)
  local sz = core.sizes(t)
  if not (#sz == 1 and sz[1] == n) then run("resize_", t._h, { n }) end
end
L.resize1d = resize1d

-- Torch7's checkTransposed: a contiguous result is transposed in place, since column-major
-- is what LAPACK hands back.
function L.transpose_if_contiguous(t)
  if t:isContiguous() then run("transpose_", t._h, 0, 1) end
end

--- work_matrix(res, src [, nrows]): Torch7's cloneColumnMajorNrows. Returns the tensor
-- LAPACK will work in: src itself (in-place call on a column-major src), res laid out
-- column-major as (nrows x cols) holding a copy of src, or a new tensor when res is src.
function L.work_matrix(res, src, nrows)
  local rows, cols = src:size(1), src:size(2)
  nrows = nrows or rows
  if rawequal(res, src) then
    if L.is_col_major(src) and cols == nrows then return src end
    res = src.new()
  end
  resize2d(res, cols, nrows)
  L.transpose_if_contiguous(res)
  if rows == nrows then
    res:copy(src)
  else
    res:narrow(1, 1, rows):copy(src)
  end
  return res
end

--- A column-major (rows x cols, leading dimension rows) view of t's data pointer: the
-- matrix LAPACK reads and writes when handed t. For a right-sized column-major t it is t.
function L.lapack_view(t, rows, cols)
  local sz, st = core.sizes(t), core.strides(t)
  if #sz == 2 and sz[1] == rows and sz[2] == cols and st[1] == 1 and (st[2] == rows or cols == 1) then
    return t._h
  end
  local ok, h = pcall(call, "as_strided", t._h, { rows, cols }, { 1, rows }, t:storageOffset() - 1)
  if not ok then
    error("a tensor of size " .. core.size_string(t) .. " has too small a storage for the " ..
      rows .. "x" .. cols .. " column-major matrix LAPACK would read from it", 4)
  end
  return h
end

-- Torch7's freeCopyTo: the work tensor's values go back into the result tensor.
function L.copy_back(work, res)
  if not rawequal(work, res) then res:copy(work) end
end

-- a 1-D right-hand side is used as an (n x 1) matrix on the same storage
function L.as_matrix(b)
  if b:dim() ~= 1 then return b end
  return core.wrap(call("as_strided", b._h, { b:size(1), 1 }, { b:stride(1), 1 }, b:storageOffset() - 1))
end

function L.item(h) return call("item", h) end

-- write an ATen result (handle) into a LAPACK view (handle)
function L.store(view, value) run("copy_", view, value, false) end

-- a matrix handle as a Lua array of rows, and back (a new double handle)
function L.to_rows(h, rows, cols)
  local dbl = call("contiguous", call("to.dtype", h, aten.dtype.float64, false, false, nil), 0)
  local p = ffi.cast("double*", aten.C.lt_tensor_data(dbl))
  local out = {}
  for i = 1, rows do
    local row = {}
    for j = 1, cols do row[j] = p[(i - 1) * cols + j - 1] end
    out[i] = row
  end
  return out
end

function L.from_rows(a, rows, cols)
  local sizes = ffi.new("int64_t[2]", rows, cols)
  local h = aten.zeros(sizes, 2, aten.dtype.float64)
  local p = ffi.cast("double*", aten.C.lt_tensor_data(h))
  for i = 1, rows do
    for j = 1, cols do p[(i - 1) * cols + j - 1] = a[i][j] end
  end
  return h
end

function L.lapack_error(fmt, ...)
  error(string.format(fmt, ...), 0)
end

return L
