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

-- TH's quicksortascend (Sedgewick's: median-of-three partitions down to runs of 10,
-- then one insertion sort), on 0-based Lua arrays of values and their positions. Its
-- order of equal values is what Torch7's mode reports.
local SMALL = 10
local function th_quicksort(arr, idx, n)
  local function swap(a, b)
    arr[a], arr[b] = arr[b], arr[a]
    idx[a], idx[b] = idx[b], idx[a]
  end
  local beg, fin, stack = {}, {}, 0
  local L, R = 0, n - 1
  local done = n - 1 <= SMALL
  while not done do
    local P = math.floor((L + R) / 2)
    swap(P, L + 1)
    if arr[L + 1] > arr[R] then swap(L + 1, R) end
    if arr[L] > arr[R] then swap(L, R) end
    if arr[L + 1] > arr[L] then swap(L + 1, L) end
    local i, j, piv = L + 1, R, arr[L]
    while true do
      repeat i = i + 1 until not (arr[i] < piv)
      repeat j = j - 1 until not (arr[j] > piv)
      if j < i then break end
      swap(i, j)
    end
    swap(L, j)
    local left, right = j - L, R - i + 1
    if left <= SMALL and right <= SMALL then
      if stack == 0 then done = true else stack = stack - 1; L, R = beg[stack], fin[stack] end
    elseif left <= SMALL or right <= SMALL then
      if left > right then R = j - 1 else L = i end
    else
      if left > right then
        beg[stack], fin[stack] = L, j - 1; stack = stack + 1; L = i
      else
        beg[stack], fin[stack] = i, R; stack = stack + 1; R = j - 1
      end
    end
  end
  for i = n - 2, 0, -1 do
    if arr[i] > arr[i + 1] then
      local piv, pid, j = arr[i], idx[i], i + 1
      repeat
        arr[j - 1], idx[j - 1] = arr[j], idx[j]
        j = j + 1
      until not (j < n and arr[j] < piv)
      arr[j - 1], idx[j - 1] = piv, pid
    end
  end
end

-- mode of one slice (a Lua array): TH sorts it, then keeps the first run (so the smallest
-- value) of the highest count, with the position of that run's last sorted element
local function slice_mode(values)
  local n = #values
  local arr, idx = {}, {}
  for i = 0, n - 1 do arr[i], idx[i] = values[i + 1], i end
  th_quicksort(arr, idx, n)
  local mode, modei, count, best = 0, 0, 0, 0
  for i = 0, n - 1 do
    count = count + 1
    if i == n - 1 or arr[i] ~= arr[i + 1] then
      if count > best then mode, modei, best = arr[i], idx[i], count end
      count = 0
    end
  end
  return mode, modei + 1
end

-- mode([dim=last]): the most frequent value and where it is, as Torch7 computes them
install("mode", function(resv, resi, src, dim)
  dim = dim or src:dim()
  dim_arg("mode", src, dim)
  local moved = src:transpose(dim, src:dim()):contiguous()
  local len = src:size(dim)
  local rows = moved:view(-1, len)
  local nrows = rows:size(1)
  local flat = rows:double():totable()
  local vals, inds = {}, {}
  for r = 1, nrows do vals[r], inds[r] = slice_mode(flat[r]) end
  local shape = core.sizes(moved)
  shape[#shape] = 1
  local v = torch.DoubleTensor(vals):view(torch.LongStorage(shape)):transpose(dim, src:dim())
  local i = torch.LongTensor(inds):view(torch.LongStorage(shape)):transpose(dim, src:dim())
  -- fresh contiguous results, with Torch7's strides
  return into(resv, call("clone", v:type(src:type())._h, 0)), into(resi, call("clone", i._h, 0))
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
