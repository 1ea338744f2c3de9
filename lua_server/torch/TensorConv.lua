-- Torch7's conv2 xcorr2 conv3 xcorr3: [res] torch.conv2([res,] x, k [, 'V'|'F']), also as
-- methods (x:conv2(k), res:conv2(x, k)). 'V' is the valid part, 'F' the full one; conv
-- flips the kernel, xcorr does not. Input/kernel dimensions pick the form:
--   conv2: 2D x 2D -> 2D;  3D (p planes) x 3D (p kernels) -> p planes, one kernel each;
--          3D (p planes) x 4D (q x p kernels) -> q planes, each summed over p.
--   conv3: the same with one more spatial dimension (3D x 3D, 4D x 4D, 4D x 5D).
-- Computed by ATen's convolution (in double for integer types).
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"
local L = require "torch.lapack_common"

local call, run = aten.call, aten.run
local isTensor = core.isTensor
local M = core.methods

local FLOAT_TYPES = { [aten.dtype.float32] = true, [aten.dtype.float64] = true }

local function expected(tname, spatial)
  local forms = {}
  for _, dims in ipairs { { spatial, spatial }, { spatial + 1, spatial + 1 }, { spatial + 1, spatial + 2 } } do
    forms[#forms + 1] = string.format("[*%s*] %s~%dD %s~%dD [(V|F)]", tname, tname, dims[1], tname, dims[2])
  end
  return table.concat(forms, " | ")
end

-- (kind, res, x, k, mode) from Torch7's argument forms; kind is "mul", "cmul" or "mv"
local function parse(spatial, ...)
  local n, args = select("#", ...), { ... }
  local ntensors = 0
  while ntensors < n and isTensor(args[ntensors + 1]) do ntensors = ntensors + 1 end
  local tname = isTensor(args[1]) and (torch.type(args[1]):gsub("^torch%.", "")) or "DoubleTensor"
  local function invalid() L.raise_invalid(expected(tname, spatial), 4, unpack(args, 1, n)) end
  if ntensors < 2 or ntensors > 3 or n > ntensors + 1 then invalid() end
  local res, x, k
  if ntensors == 3 then res, x, k = args[1], args[2], args[3] else x, k = args[1], args[2] end
  local mode = args[ntensors + 1]
  if mode == nil then mode = "V" end
  if mode ~= "V" and mode ~= "F" then invalid() end
  for i = 1, ntensors do
    if torch.type(args[i]) ~= "torch." .. tname then invalid() end
  end
  local xd, kd = x:dim(), k:dim()
  local kind = (xd == spatial and kd == spatial and "mul")
    or (xd == spatial + 1 and kd == spatial + 1 and "cmul")
    or (xd == spatial + 1 and kd == spatial + 2 and "mv")
  if not kind then invalid() end
  return kind, res or x.new(), x, k, mode
end

local function sizes_of(t) return core.sizes(t) end

local function check(kind, spatial, x, k, mode)
  local xs, ks = sizes_of(x), sizes_of(k)
  local name = string.format("conv%dD%s", spatial, kind)
  if kind == "cmul" and xs[1] ~= ks[1] then
    error("bad argument #2 to '" .. name .. "' (invalid number of input/kernel planes)", 3)
  elseif kind == "mv" and xs[1] ~= ks[2] then
    error("bad argument #2 to '" .. name .. "' (invalid number of input planes)", 3)
  end
  if mode == "V" then
    for d = 1, spatial do
      if xs[#xs - spatial + d] < ks[#ks - spatial + d] then
        error("bad argument #2 to '" .. name .. "' (" .. name .. " : Input image is smaller than kernel)", 3)
      end
    end
  end
end

-- one correlation through ATen: input (1, p, ...), weight (q, p, ...) -> (q, ...)
local function aten_correlate(input, weight, spatial_k, mode, flip, spatial)
  if flip then
    local dims = {}
    for d = 1, spatial do dims[d] = 1 + d end
    weight = call("flip", weight, dims)
  end
  local ones, pad, zeros = {}, {}, {}
  for d = 1, spatial do
    ones[d], zeros[d] = 1, 0
    pad[d] = mode == "F" and spatial_k[d] - 1 or 0
  end
  local out = call("convolution", input, weight, nil, ones, pad, ones, false, zeros, 1)
  return call("select.int", out, 0, 0)
end

-- the result of one form, as an ATen handle of x's dtype
local function correlate(kind, spatial, x, k, mode, flip)
  local dtype = aten.C.lt_tensor_dtype(x._h)
  local xh, kh = x._h, k._h
  if not FLOAT_TYPES[dtype] then
    xh = call("to.dtype", xh, aten.dtype.float64, false, false, nil)
    kh = call("to.dtype", kh, aten.dtype.float64, false, false, nil)
  end
  local xs, ks = sizes_of(x), sizes_of(k)
  local spatial_x, spatial_k = {}, {}
  for d = 1, spatial do
    spatial_x[d] = xs[#xs - spatial + d]
    spatial_k[d] = ks[#ks - spatial + d]
  end
  local function single(plane, kernel)
    local input = call("reshape", plane, { 1, 1, unpack(spatial_x) })
    local weight = call("reshape", kernel, { 1, 1, unpack(spatial_k) })
    return call("select.int", aten_correlate(input, weight, spatial_k, mode, flip, spatial), 0, 0)
  end
  local out
  if kind == "mul" then
    out = single(xh, kh)
  elseif kind == "cmul" then
    -- plane by plane, so each plane equals the 2D/2D (3D/3D) result bit for bit
    local planes = {}
    for i = 1, xs[1] do
      planes[i] = single(call("select.int", xh, 0, i - 1), call("select.int", kh, 0, i - 1))
    end
    out = call("stack", planes, 0)
  else
    local input = call("reshape", xh, { 1, xs[1], unpack(spatial_x) })
    out = aten_correlate(input, kh, spatial_k, mode, flip, spatial)
  end
  if not FLOAT_TYPES[dtype] then out = call("to.dtype", out, dtype, false, false, nil) end
  return out, core.sizes(core.wrap(out))
end

-- Torch7 zeroes the result, then accumulates into its data pointer as if contiguous
local function store(res, out, sizes)
  local cur = core.sizes(res)
  local same = #cur == #sizes
  for i = 1, #sizes do same = same and cur[i] == sizes[i] end
  if not same then run("resize_", res._h, sizes) end
  res:zero()
  local strides, acc = {}, 1
  for i = #sizes, 1, -1 do strides[i] = acc; acc = acc * sizes[i] end
  local ok, raw = pcall(call, "as_strided", res._h, sizes, strides, res:storageOffset() - 1)
  run("add_.Tensor", ok and raw or res._h, out, 1)
  return res
end

local function define(name, spatial, flip)
  local fn = function(...)
    local kind, res, x, k, mode = parse(spatial, ...)
    check(kind, spatial, x, k, mode)
    local out, sizes = correlate(kind, spatial, x, k, mode, flip)
    local r = store(res, out, sizes)
    return r
  end
  torch[name] = fn
  M[name] = fn
end

define("conv2", 2, true)
define("xcorr2", 2, false)
define("conv3", 3, true)
define("xcorr3", 3, false)

return torch
