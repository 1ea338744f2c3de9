-- Printing tensors and storages exactly as Torch7's Tensor.lua does (__tostring__):
-- one number format for the whole tensor (integer, fixed or exponent, with a common
-- scale factor line such as "0.001 *"), 2-D blocks of columns fitting 80 characters,
-- N-D tensors as "(i,j,.,.) = " matrix slices, then "[torch.DoubleTensor of size 2x3]".
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local types = require "torch.types"
local core = require "torch.core"

local C = aten.C
local floor, ceil, abs, log10, pow = math.floor, math.ceil, math.abs, math.log10, math.pow
local format, concat, tostring = string.format, table.concat, tostring
local M = core.methods
local DOUBLE = types.by_tensor_name["torch.DoubleTensor"]
local LINE_WIDTH = 80

-- Torch7's Storage__printformat over n doubles at p: returns the element format, the
-- scale factor (nil when none) and the field width. minall/maxall follow TH: a NaN
-- anywhere makes both NaN, which ends in Torch7's "%f" fallback.
local function printformat(p, n)
  if n == 0 then return "", nil, 0 end
  local int_mode = true
  for i = 0, n - 1 do
    local v = p[i]
    if v ~= ceil(v) then int_mode = false; break end
  end
  local lo = abs(p[0])
  for i = 0, n - 1 do
    local v = abs(p[i])
    if not (v >= lo) then lo = v; if v ~= v then break end end
  end
  local hi = abs(p[0])
  for i = 0, n - 1 do
    local v = abs(p[i])
    if not (v <= hi) then hi = v; if v ~= v then break end end
  end
  local exp_min = lo ~= 0 and floor(log10(lo)) + 1 or 1
  local exp_max = hi ~= 0 and floor(log10(hi)) + 1 or 1

  local fmt, scale, sz
  if int_mode then
    if exp_max > 9 then
      fmt, sz = "%11.4e", 11
    else
      sz = exp_max + 1
      fmt = "%" .. sz .. "d"
    end
  elseif exp_max - exp_min > 4 then
    sz = 11
    if abs(exp_max) > 99 or abs(exp_min) > 99 then sz = sz + 1 end
    fmt = "%" .. sz .. ".4e"
  else
    if exp_max > 5 or exp_max < 0 then
      sz = 7
      scale = pow(10, exp_max - 1)
    elseif exp_max == 0 then
      sz = 7
    else
      sz = exp_max + 6
    end
    -- NaN width: Torch7 builds "%nan.4f" and then falls back to "%f"
    fmt = sz == sz and ("%" .. sz .. ".4f") or "%f"
  end
  if scale == 1 then scale = nil end
  return fmt, scale, sz
end

-- Tensor__printMatrix: rows x cols doubles at p (contiguous), with the format of the
-- whole tensor. Appends to the buffer `out`.
local function print_matrix(out, p, rows, cols, fmt, scale, sz, indent)
  scale = scale or 1
  out[#out + 1] = indent
  local per_line = floor((LINE_WIDTH - #indent) / (sz + 1))
  local first = 1
  while first <= cols do
    local last = (first + per_line - 1 <= cols) and (first + per_line - 1) or cols
    if per_line < cols then
      if first ~= 1 then out[#out + 1] = "\n" end
      out[#out + 1] = "Columns " .. first .. " to " .. last .. "\n" .. indent
    end
    if scale ~= 1 then out[#out + 1] = format("%g", scale) .. " *\n " .. indent end
    for r = 1, rows do
      local base = (r - 1) * cols - 1
      for c = first, last do
        out[#out + 1] = format(fmt, p[base + c] / scale)
        if c == last then
          out[#out + 1] = "\n"
          if r ~= rows then out[#out + 1] = scale ~= 1 and (indent .. " ") or indent end
        else
          out[#out + 1] = " "
        end
      end
    end
    first = last + 1
  end
end

-- Tensor__printTensor: every matrix slice, the FIRST leading index varying fastest,
-- as Torch7's counter loop does.
local function print_slices(out, p, sizes, fmt, scale, sz)
  local nd = #sizes
  local rows, cols = sizes[nd - 1], sizes[nd]
  local lead = nd - 2
  local counter = {}
  for i = 1, lead do counter[i] = 1 end
  local first_slice = true
  while true do
    if not first_slice then out[#out + 1] = "\n" end
    first_slice = false
    -- row-major offset of the slice
    local offset, stride = 0, rows * cols
    for i = lead, 1, -1 do
      offset = offset + (counter[i] - 1) * stride
      stride = stride * sizes[i]
    end
    out[#out + 1] = "(" .. concat(counter, ",") .. ",.,.) = \n"
    print_matrix(out, p + offset, rows, cols, fmt, scale, sz, " ")
    local i = 1
    while i <= lead do
      counter[i] = counter[i] + 1
      if counter[i] <= sizes[i] then break end
      counter[i] = 1
      i = i + 1
    end
    if i > lead then break end
  end
end

-- one value a line, optionally under a scale line (1-D tensors and storages)
local function print_column(out, p, n, fmt, scale)
  if scale then
    out[#out + 1] = format("%g", scale) .. " *\n"
    for i = 0, n - 1 do out[#out + 1] = format(fmt, p[i] / scale) .. "\n" end
  else
    for i = 0, n - 1 do out[#out + 1] = format(fmt, p[i]) .. "\n" end
  end
end

-- A contiguous CPU double copy (or self when it already is one) and its pointer.
local function as_doubles(t)
  local d = t
  if core.info(t) ~= DOUBLE then d = t:double() end
  if not d:isContiguous() then d = d:clone() end
  local nans = aten.call("isnan", d._h)
  if aten.call("is_nonzero", aten.call("any", nans)) then  -- NaN payloads become the quiet NaN
    if rawequal(d, t) then d = d:clone() end
    aten.run("masked_fill_.Scalar", d._h, nans, 0 / 0)
  end
  return d, ffi.cast("double*", C.lt_tensor_data(d._h))
end

function M:__tostring__()
  local name = core.info(self).tensor
  if self:dim() == 0 then return "[" .. name .. " with no dimension]\n" end
  local d, p = as_doubles(self)
  local sizes = core.sizes(d)
  local fmt, scale, sz = printformat(p, d:nElement())
  local out = { keep = d }  -- `out` lives to the end, so the copy outlives the pointer p
  if #sizes == 1 then
    print_column(out, p, sizes[1], fmt, scale)
  elseif #sizes == 2 then
    print_matrix(out, p, sizes[1], sizes[2], fmt, scale, sz, "")
  else
    print_slices(out, p, sizes, fmt, scale, sz)
  end
  out[#out + 1] = "[" .. name .. " of size " .. concat(sizes, "x") .. "]\n"
  return concat(out)
end

-- Storages print like Torch7's Storage.__tostring__: a leading newline, one value a line.
local function storage_tostring(self)
  local n = self:size()
  local out = { "\n" }
  if n > 0 then
    local info = getmetatable(self).__storage_info
    local view = core.make(core.tensor_mt[info], aten.call("alias", self._h))
    local d, p = as_doubles(view)
    out.keep = d
    local fmt, scale = printformat(p, n)
    print_column(out, p, n, fmt, scale)
  end
  out[#out + 1] = "[" .. torch.typename(self) .. " of size " .. n .. "]\n"
  return concat(out)
end

core.storage_methods.__tostring__ = storage_tostring
for _, mt in pairs(core.storage_mt) do rawset(mt, "__tostring__", storage_tostring) end

return { printformat = printformat }
