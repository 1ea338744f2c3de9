-- Order statistics and scans in Torch7's forms: sort, topk, kthvalue, median, mode return
-- (values, 1-based LongTensor indices) and keep the reduced dimension (size 1, or k for
-- topk); their dimension defaults to the last one. cumsum/cumprod default to dimension 1.
-- Methods make new results; vals:sort(idx, x, ...) and torch.sort(vals, idx, x, ...) fill.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local call, wrap = aten.call, core.wrap
local run = aten.run
local type, error, tostring, select, ipairs = type, error, tostring, select, ipairs
local isTensor = core.isTensor
local M = core.methods

local function dim_arg(fname, t, d, level)
  local n = t:dim()
  if type(d) ~= "number" or d < 1 or d > n or d ~= math.floor(d) then
    error(string.format("%s: dimension %s out of range of a %dD tensor", fname, tostring(d), n), level or 4)
  end
  return d - 1
end

local function into(res, h)
  local r = wrap(h)
  if res == nil then return r end
  res:resizeAs(r):copy(r)
  return res
end

-- (values, indices) from ATen's 0-based int64 indices
local function pair(resv, resi, v, i)
  run("add_.Scalar", i, 1, 1)
  return into(resv, v), into(resi, i)
end

-- self:f(args) -> (nil, nil, self, args) ; vals:f(idx, src, args) -> (vals, idx, src, args)
local function split_results(self, a, b, ...)
  if isTensor(a) and isTensor(b) then return self, a, b, ... end
  return nil, nil, self, a, b, ...
end

-- Install name as a method and as torch.name: both spellings take the same arguments.
local function install(name, f)
  M[name] = function(...) return f(split_results(...)) end
  torch[name] = M[name]
end

-- sort([dim=last] [, descending=false]); a boolean alone is the order
install("sort", function(resv, resi, src, dim, desc)
  if type(dim) == "boolean" then dim, desc = nil, dim end
  dim = dim or src:dim()
  local d = dim_arg("sort", src, dim)
  local v, i = call("sort.stable", src._h, true, d, desc == true)
  return pair(resv, resi, v, i)
end)

-- topk(k=1 [, dim=last] [, dir=false: k smallest | true: k largest] [, sort=false])
-- The k values come back sorted (smallest first, or largest first), a valid order for
-- Torch7's unsorted case too.
install("topk", function(resv, resi, src, ...)
  local nums, flags = {}, {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "number" then nums[#nums + 1] = v
    elseif type(v) == "boolean" then flags[#flags + 1] = v
    elseif v ~= nil then core.bad_args("topk", src, ...) end
  end
  local k, dim = nums[1] or 1, nums[2] or src:dim()
  local d = dim_arg("topk", src, dim)
  local n = src:size(dim)
  if k < 1 or k > n or k ~= math.floor(k) then
    error(string.format("topk: k (%s) not in range for dimension %d of size %d", tostring(k), dim, n), 3)
  end
  local v, i = call("topk", src._h, k, d, flags[1] == true, true)
  return pair(resv, resi, v, i)
end)

-- kthvalue(k [, dim=last]): the k-th smallest
install("kthvalue", function(resv, resi, src, k, dim)
  dim = dim or src:dim()
  local d = dim_arg("kthvalue", src, dim)
  local n = src:size(dim)
  if type(k) ~= "number" or k < 1 or k > n or k ~= math.floor(k) then
    error(string.format("kthvalue: selected index %s out of range for dimension %d of size %d",
      tostring(k), dim, n), 3)
  end
  local v, i = call("kthvalue", src._h, k, d, true)
  return pair(resv, resi, v, i)
end)

-- median([dim=last]): the lower median, as Torch7's (n-1)/2-th order statistic
install("median", function(resv, resi, src, dim)
  dim = dim or src:dim()
  local d = dim_arg("median", src, dim)
  local v, i = call("median.dim", src._h, d, true)
  return pair(resv, resi, v, i)
end)

-- mode([dim=last]): the most frequent value (the smallest one among ties)
install("mode", function(resv, resi, src, dim)
  dim = dim or src:dim()
  local d = dim_arg("mode", src, dim)
  local v, i = call("mode", src._h, d, true)
  return pair(resv, resi, v, i)
end)

-- cumsum/cumprod([dim=1]): x:cumsum(d) -> new; res:cumsum(x, d) fills res. The scan
-- stays in the element type (Torch7 casts each partial result back to `real`).
for _, name in ipairs { "cumsum", "cumprod" } do
  M[name] = function(self, a, b)
    local res, src, dim = nil, self, a
    if isTensor(a) then res, src, dim = self, a, b end
    dim = dim or 1
    local d = dim_arg(name, src, dim, 3)
    return into(res, call(name, src._h, d, core.info(src).dtype))
  end
  torch[name] = M[name]
end

return M
