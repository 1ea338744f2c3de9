-- histc and bhistc: Torch7's histograms, on Float and Double tensors.
--   torch.histc([res,] x [, nbins=100 [, min=0 [, max=0]]])   one histogram of all of x
--   torch.bhistc([res,] x [, nbins=100 [, min=0 [, max=0]]])  one per row of a 2-D x
-- min == max means the data's range (x:min(), x:max()), widened to [v-1, v+1] when that
-- is empty too. A value v in [min, max] lands in bin floor((v-min)/(max-min)*nbins),
-- the max in the last bin; NaN fails both comparisons and is not counted. The arithmetic
-- is done in x's own precision, as TH's C did.
local ffi = require "ffi"
local torch = require "torch.env"
local core = require "torch.core"

local type, error, floor, min = type, error, math.floor, math.min
local isTensor = core.isTensor
local M = core.methods

local fbuf = ffi.new("float[1]")
local function to_float(x) fbuf[0] = x; return fbuf[0] end
local function to_double(x) return x end

local function check_type(fname, x)
  local info = isTensor(x) and core.info(x)
  if not info or (info.short ~= "Float" and info.short ~= "Double") then
    error((isTensor(x) and info.tensor or type(x)) .. " does not implement the torch." .. fname .. "() function", 3)
  end
  return info.short == "Float" and to_float or to_double
end

local function range(x, lo, hi, real)
  lo, hi = real(lo or 0), real(hi or 0)
  if lo == hi and x:nElement() > 0 then lo, hi = x:min(), x:max() end
  if lo == hi then lo, hi = real(lo - 1), real(hi + 1) end
  return lo, hi
end

-- add the counts of the n doubles of d from element `first` (0-based) into counts[1..nbins]
local function count(counts, d, first, n, nbins, lo, hi, real)
  local p = ffi.cast("double*", d:data()) + first
  local width = real(hi - lo)
  for i = 0, n - 1 do
    local v = p[i]
    if v >= lo and v <= hi then
      local bin = floor(real(real(real(v - lo) / width) * nbins))
      bin = min(bin, nbins - 1) + 1
      counts[bin] = counts[bin] + 1
    end
  end
  return d  -- d is used after the loop, so it outlives the pointer p
end

local function doubles(x)
  return x:double():contiguous()
end

local function histc(res, x, nbins, lo, hi)
  local real = check_type("histc", x)
  nbins = nbins or 100
  lo, hi = range(x, lo, hi, real)
  local counts = {}
  for b = 1, nbins do counts[b] = 0 end
  local d = doubles(x)
  count(counts, d, 0, d:nElement(), nbins, lo, hi, real)
  res:resize(nbins)
  for b = 1, nbins do res[b] = counts[b] end
  return res
end

local function bhistc(res, x, nbins, lo, hi)
  local real = check_type("bhistc", x)
  if x:dim() >= 3 then
    error("bad argument #2 to 'bhistc' (invalid dimension " .. x:dim() .. ", the input must be a 2d tensor)", 3)
  end
  if x:dim() < 2 then error("bad argument #2 to 'bhistc' (invalid dimension 2)", 3) end
  nbins = nbins or 100
  lo, hi = range(x, lo, hi, real)
  local rows, cols = x:size(1), x:size(2)
  local d = doubles(x)
  res:resize(rows, nbins)
  for r = 1, rows do
    local counts = {}
    for b = 1, nbins do counts[b] = 0 end
    count(counts, d, (r - 1) * cols, cols, nbins, lo, hi, real)
    local row = res[r]
    for b = 1, nbins do row[b] = counts[b] end
  end
  return res
end

-- x:histc(...) histograms x into a new tensor; res:histc(x, ...) fills res
local function install(name, fn)
  M[name] = function(self, a, ...)
    if isTensor(a) then return fn(self, a, ...) end
    return fn(self.new(), self, a, ...)
  end
  torch[name] = function(a, b, ...)
    if isTensor(a) and isTensor(b) then return fn(a, b, ...) end
    if not isTensor(a) then check_type(name, a) end
    return fn(a.new(), a, b, ...)
  end
end
install("histc", histc)
install("bhistc", bhistc)

return M
