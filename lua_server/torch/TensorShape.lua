-- Shape and indexing operations in Torch7's forms, with 1-based dimensions and indices:
-- split/chunk (tables of views), cat, repeatTensor, index/indexCopy/indexAdd/indexFill,
-- gather/scatter, maskedSelect/maskedFill/maskedCopy, nonzero, diag, tril/triu, and the
-- constructors eye, range, linspace, logspace, zeros/ones (which take a trailing type name).
local ffi = require "ffi"
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"
local types = require "torch.types"
local A = require "torch.TensorArith"

local C = aten.C
local call, wrap = aten.call, core.wrap
local run = aten.run
local type, error, select, tostring, ipairs, pairs, unpack = type, error, select, tostring, ipairs, pairs, unpack
local math_ceil, math_min, math_max = math.ceil, math.min, math.max
local isTensor, isStorage = core.isTensor, core.isStorage
local M = core.methods
local INT64 = aten.dtype.int64

local function need_tensor(fname, v, what)
  if not isTensor(v) then
    error(string.format("%s: %s must be a tensor, got %s", fname, what, torch.type(v)), 3)
  end
end

-- 1-based dimension d of t, checked; returns the 0-based one
local function dim_arg(fname, t, d)
  local n = t:dim()
  if type(d) ~= "number" or d < 1 or d > n or d ~= math.floor(d) then
    error(string.format("%s: dimension %s out of range of a %dD tensor", fname, tostring(d), n), 3)
  end
  return d - 1
end

-- write the tensor handle h into res (resized), or wrap it as the result
local function into(res, h)
  local r = wrap(h)
  if res == nil then return r end
  res:resizeAs(r):copy(r)
  return res
end

-- A trailing tensor type name ('torch.LongTensor') picks the result type, as Torch7's
-- torch.* dispatcher does; returns the type info and the count of the other arguments.
local function type_arg(...)
  local n = select("#", ...)
  local last = n > 0 and select(n, ...) or nil
  if type(last) == "string" then
    local info = types.by_tensor_name[last]
    if not info then error("unknown tensor type " .. last, 3) end
    return info, n - 1
  end
  return core.default, n
end

local function empty_of(info) return core.new(info, { 0 }) end

---------------------------------------------------------------------------- split / chunk

-- [result =] x:split(size [, dim=1]) | torch.split([result,] x, size [, dim]): views
function M.split(result, tensor, size, dim)
  if type(result) ~= "table" then
    result, tensor, size, dim = {}, result, tensor, size
  else
    for k in pairs(result) do result[k] = nil end
  end
  need_tensor("split", tensor, "the tensor")
  dim = dim or 1
  dim_arg("split", tensor, dim)
  if type(size) ~= "number" or size < 1 then
    error("split: the split size must be a positive number, got " .. tostring(size), 2)
  end
  local n = tensor:size(dim)
  local start = 1
  while start <= n do
    local len = math_min(size, n - start + 1)
    result[#result + 1] = tensor:narrow(dim, start, len)
    start = start + len
  end
  return result
end
torch.split = M.split

function M.chunk(result, tensor, nchunk, dim)
  if type(result) ~= "table" then
    result, tensor, nchunk, dim = {}, result, tensor, nchunk
  end
  need_tensor("chunk", tensor, "the tensor")
  dim = dim or 1
  dim_arg("chunk", tensor, dim)
  if type(nchunk) ~= "number" or nchunk < 1 then
    error("chunk: the number of chunks must be a positive number, got " .. tostring(nchunk), 2)
  end
  return M.split(result, tensor, math_ceil(tensor:size(dim) / nchunk), dim)
end
torch.chunk = M.chunk

---------------------------------------------------------------------------- cat

-- Torch7's catArray: dim defaults to the last dimension of the largest input; missing
-- trailing dimensions count as size 1, empty inputs are skipped.
local function cat(res, tensors, dim)
  local n = #tensors
  if n == 0 then error("cat: invalid number of inputs 0", 3) end
  for i = 1, n do need_tensor("cat", tensors[i], "input " .. i) end
  if dim ~= nil and (type(dim) ~= "number" or dim < 1 or dim ~= math.floor(dim)) then
    error("cat: invalid dimension " .. tostring(dim), 3)
  end
  local maxdim = dim or 0
  for i = 1, n do maxdim = math_max(maxdim, tensors[i]:dim()) end
  local d = dim or math_max(maxdim, 1)
  local size, parts = {}, {}
  local first, first_t
  for i = 1, n do
    local t = tensors[i]
    local td = t:dim()
    if td > 0 then
      local s = core.sizes(t)
      for k = td + 1, maxdim do s[k] = 1 end
      if first == nil then
        first, first_t = s, t
        for k = 1, maxdim do size[k] = s[k] end
      else
        for k = 1, maxdim do
          if k == d then
            size[k] = size[k] + s[k]
          elseif s[k] ~= size[k] then
            error(string.format("cat: inconsistent tensor sizes %s and %s (dimension %d differs)",
              core.size_string(first_t), core.size_string(t), k), 3)
          end
        end
      end
      parts[#parts + 1] = td == maxdim and t._h or call("view", t._h, s)
    end
  end
  local like = res or tensors[1]
  if #parts == 0 then
    if res then return res:resize(0) end
    return like.new()
  end
  if res == nil then return wrap(call("cat", parts, d - 1)) end
  run("resize_", res._h, size)
  run("cat.out", parts, d - 1, res._h)
  return res
end

-- torch.cat([res,] a, b [,dim]) | torch.cat([res,] {tensors} [,dim]); x:cat(y [,dim])
function M.cat(a, b, c, d)
  if type(a) == "table" and not isTensor(a) then return cat(nil, a, b) end
  if isTensor(a) and type(b) == "table" and not isTensor(b) then return cat(a, b, c) end
  if isTensor(a) and isTensor(b) and isTensor(c) then return cat(a, { b, c }, d) end
  if isTensor(a) and isTensor(b) then return cat(nil, { a, b }, c) end
  core.bad_args("cat", a, b, c, d)
end
torch.cat = M.cat

---------------------------------------------------------------------------- repeatTensor

-- x:repeatTensor(sizes) -> new copy; res:repeatTensor(x, sizes) fills res
function M.repeatTensor(result, tensor, ...)
  local sizes
  if type(tensor) == "number" or isStorage(tensor) then
    sizes = (core.size_args("repeatTensor", tensor, ...))
    tensor, result = result, nil
  else
    sizes = (core.size_args("repeatTensor", ...))
  end
  need_tensor("repeatTensor", tensor, "the tensor")
  if #sizes < tensor:dim() then
    error(string.format("repeatTensor: the number of repetitions (%d) can not be smaller than " ..
      "the tensor's number of dimensions (%d)", #sizes, tensor:dim()), 2)
  end
  return into(result, call("repeat", tensor._h, sizes))
end
torch.repeatTensor = M.repeatTensor

---------------------------------------------------------------------------- index*

-- An index tensor as a 0-based int64 handle on `like`'s device, every entry checked to lie
-- in 1..n (Torch7 indices are 1-based).
local function zero_based(fname, idx, like, n, dimno)
  local h = idx._h
  if C.lt_tensor_numel(h) > 0 then
    local lo, hi = call("aminmax", h)
    lo, hi = call("item", lo), call("item", hi)
    if lo < 1 or hi > n then
      error(string.format("%s: index %s out of range for dimension %d of size %d",
        fname, tostring(lo < 1 and lo or hi), dimno, n), 3)
    end
  end
  local info = core.info(like)
  local z = call("sub.Scalar", h, 1, 1)
  if C.lt_tensor_dtype(z) ~= INT64 or C.lt_tensor_device_type(z) ~= info.device then
    z = call("_to_copy", z, INT64, nil, { info.device, -1 }, nil, false, nil)
  end
  return z
end

local function vector_index(fname, idx)
  need_tensor(fname, idx, "the index")
  if C.lt_tensor_dim(idx._h) ~= 1 then
    error(string.format("%s: the index must be a vector (a 1D LongTensor), got a tensor of size %s",
      fname, core.size_string(idx)), 3)
  end
end

-- x:index(dim, idx) -> new copy; res:index(src, dim, idx) fills res
function M:index(a, b, c)
  local res, src, dim, idx = nil, self, a, b
  if isTensor(a) then res, src, dim, idx = self, a, b, c end
  local d = dim_arg("index", src, dim)
  vector_index("index", idx)
  local ih = zero_based("index", idx, src, src:size(dim), dim)
  if res == nil then return wrap(call("index_select", src._h, d, ih)) end
  local sizes = core.sizes(src)
  sizes[dim] = idx:nElement()
  run("resize_", res._h, sizes)
  run("index_select.out", src._h, d, ih, res._h)
  return res
end
torch.index = function(a, ...) return M.index(a, ...) end

-- src laid out as n slices of self along d (Torch7 copies slice by slice, so only the
-- element count of each slice has to agree)
local function as_slices(fname, self, d, n, src)
  local want = core.sizes(self)
  want[d + 1] = n
  local have = core.sizes(src)
  if #have == #want then
    local same = true
    for i = 1, #want do same = same and have[i] == want[i] end
    if same then return src._h end
  end
  local slice = 1
  for i = 1, #want do if i ~= d + 1 then slice = slice * want[i] end end
  if src:dim() <= d or src:nElement() ~= n * slice then
    error(string.format("%s: source of size %s does not hold %d slices of %d elements along dimension %d",
      fname, core.size_string(src), n, slice, d + 1), 3)
  end
  local rest = { n }
  for i = 1, #want do if i ~= d + 1 then rest[#rest + 1] = want[i] end end
  local front = call("reshape", call("movedim.int", src._h, d, 0), rest)
  return call("movedim.int", front, 0, d)
end

local function index_update(fname, aten_name)
  M[fname] = function(self, dim, idx, src)
    local d = dim_arg(fname, self, dim)
    vector_index(fname, idx)
    need_tensor(fname, src, "the source")
    local n = idx:nElement()
    if src:dim() < dim or src:size(dim) ~= n then
      error(string.format("%s: number of indices (%d) should be equal to source:size(%d) (source is %s)",
        fname, n, dim, core.size_string(src)), 2)
    end
    local ih = zero_based(fname, idx, self, self:size(dim), dim)
    run(aten_name, self._h, d, ih, as_slices(fname, self, d, n, src))
    return self
  end
end
index_update("indexCopy", "index_copy_")
index_update("indexAdd", "index_add_")

function M:indexFill(dim, idx, value)
  local d = dim_arg("indexFill", self, dim)
  vector_index("indexFill", idx)
  if type(value) ~= "number" then
    error("indexFill: the value must be a number, got " .. torch.type(value), 2)
  end
  local ih = zero_based("indexFill", idx, self, self:size(dim), dim)
  run("index_fill_.int_Scalar", self._h, d, ih, A.scalar_for(self, value))
  return self
end

---------------------------------------------------------------------------- gather / scatter

-- index must have t's number of dimensions and fit inside it except along dim
local function check_along(fname, t, idx, dim, what)
  need_tensor(fname, idx, "the index")
  if idx:dim() ~= t:dim() then
    error(string.format("%s: index tensor must have the same number of dimensions as the %s " ..
      "(index %s, %s %s)", fname, what, core.size_string(idx), what, core.size_string(t)), 3)
  end
  for i = 1, t:dim() do
    if i ~= dim and idx:size(i) > t:size(i) then
      error(string.format("%s: index of size %s does not fit the %s of size %s in dimension %d",
        fname, core.size_string(idx), what, core.size_string(t), i), 3)
    end
  end
end

-- x:gather(dim, idx) -> new; res:gather(src, dim, idx) -> res = src gathered along dim
function M:gather(a, b, c)
  local res, src, dim, idx = nil, self, a, b
  if isTensor(a) then res, src, dim, idx = self, a, b, c end
  local d = dim_arg("gather", src, dim)
  check_along("gather", src, idx, dim, "source")
  local ih = zero_based("gather", idx, src, src:size(dim), dim)
  if res == nil then return wrap(call("gather", src._h, d, ih, false)) end
  run("resize_", res._h, core.sizes(idx))
  run("gather.out", src._h, d, ih, false, res._h)
  return res
end
torch.gather = function(a, ...) return M.gather(a, ...) end

-- x:scatter(dim, idx, src | value): in place
function M:scatter(dim, idx, src)
  local d = dim_arg("scatter", self, dim)
  check_along("scatter", self, idx, dim, "destination")
  local ih = zero_based("scatter", idx, self, self:size(dim), dim)
  if type(src) == "number" then
    run("scatter_.value", self._h, d, ih, A.scalar_for(self, src))
  else
    need_tensor("scatter", src, "the source")
    if src:dim() ~= self:dim() then
      error(string.format("scatter: source must have the same number of dimensions as the " ..
        "destination (source %s, destination %s)", core.size_string(src), core.size_string(self)), 2)
    end
    for i = 1, idx:dim() do
      if idx:size(i) > src:size(i) then
        error(string.format("scatter: index of size %s does not fit the source of size %s in dimension %d",
          core.size_string(idx), core.size_string(src), i), 2)
      end
    end
    run("scatter_.src", self._h, d, ih, src._h)
  end
  return self
end

torch.scatter = M.scatter

---------------------------------------------------------------------------- masks

-- the mask as a boolean handle in t's shape: a ByteTensor of 0/1, same element count
local function bool_mask(fname, t, mask)
  need_tensor(fname, mask, "the mask")
  local info = core.info(mask)
  if info.short ~= "Byte" and info.device ~= aten.device.cuda then
    error(fname .. ": the mask must be a torch.ByteTensor, got " .. info.tensor, 3)
  end
  local mh = A.operand(fname, t, mask)
  if C.lt_tensor_numel(mh) > 0 and call("item", call("max", mh)) > 1 then
    error(fname .. ": mask tensor can take 0 and 1 values only", 3)
  end
  return call("ne.Scalar", mh, 0)
end

-- x:maskedSelect(mask) -> new 1-D copy; res:maskedSelect(src, mask) fills res
function M:maskedSelect(a, b)
  local res, src, mask = nil, self, a
  if b ~= nil then res, src, mask = self, a, b end
  need_tensor("maskedSelect", src, "the source")
  local r = call("masked_select", src._h, bool_mask("maskedSelect", src, mask))
  return into(res, r)
end
torch.maskedSelect = function(a, ...) return M.maskedSelect(a, ...) end

function M:maskedFill(mask, value)
  if type(value) ~= "number" then
    error("maskedFill: the value must be a number, got " .. torch.type(value), 2)
  end
  run("masked_fill_.Scalar", self._h, bool_mask("maskedFill", self, mask), A.scalar_for(self, value))
  return self
end

-- copies src's elements, in order, into the positions where mask is 1
function M:maskedCopy(mask, src)
  need_tensor("maskedCopy", src, "the source")
  local mh = bool_mask("maskedCopy", self, mask)
  local ok, err = pcall(call, "masked_scatter_", self._h, mh, src._h)
  if not ok then
    if tostring(err):find("ones in mask", 1, true) then
      error("maskedCopy: number of elements of src (" .. src:nElement() .. ") < number of ones in mask", 2)
    end
    error("maskedCopy: " .. tostring(err), 2)
  end
  return self
end

-- nonzero(x): LongTensor N x nDim of 1-based subscripts
function M:nonzero(a)
  local res, src = nil, self
  if a ~= nil then res, src = self, a end
  need_tensor("nonzero", src, "the tensor")
  local h = call("nonzero", src._h)
  run("add_.Scalar", h, 1, 1)
  return into(res, h)
end
torch.nonzero = function(a, b) return M.nonzero(a, b) end

---------------------------------------------------------------------------- diag / tril / triu

-- x:f([k]) -> new; res:f(x [,k])
local function matrix_op(name, run)
  M[name] = function(self, a, b)
    local res, src, k = nil, self, a
    if isTensor(a) then res, src, k = self, a, b end
    k = k or 0
    if type(k) ~= "number" then core.bad_args(name, self, a, b) end
    return into(res, run(src, k))
  end
  torch[name] = M[name]
end

matrix_op("diag", function(src, k)
  local d = src:dim()
  if d ~= 1 and d ~= 2 then
    error("diag: matrix or a vector expected, got a " .. d .. "D tensor", 3)
  end
  return call("diag", src._h, k)
end)
for _, name in ipairs { "tril", "triu" } do
  matrix_op(name, function(src, k)
    if src:dim() ~= 2 then error(name .. ": expected a matrix, got a " .. src:dim() .. "D tensor", 3) end
    return call(name, src._h, k)
  end)
end

---------------------------------------------------------------------------- constructors

-- torch.f([res,] args... [, typename]) and the method res:f(args...) that fills res
local function constructor(name, build)
  M[name] = function(self, ...)
    build(self, ...)
    return self
  end
  torch[name] = function(first, ...)
    if isTensor(first) then return M[name](first, ...) end
    local info, n = type_arg(first, ...)
    local res = empty_of(info)
    build(res, unpack({ first, ... }, 1, n))
    return res
  end
end

constructor("eye", function(res, n, m)
  if type(n) ~= "number" or n < 1 then error("eye: invalid argument " .. tostring(n), 3) end
  if m == nil or m <= 0 then m = n end
  run("resize_", res._h, { n, m })
  run("zero_", res._h)
  run("fill_.Scalar", call("diagonal", res._h, 0, 0, 1), 1)
end)

-- fill res (n elements) with a + i*(b-a)/(n-1), evaluated as C does in the element type
-- (float for FloatTensor, double otherwise); like Torch7, res keeps its shape when it
-- already holds n elements
local float_box = ffi.new("float[1]")
local function as_float(v) float_box[0] = v; return float_box[0] end

local function spaced(fname, res, a, b, n)
  n = n or 100
  if type(a) ~= "number" or type(b) ~= "number" or type(n) ~= "number" then
    core.bad_args(fname, res, a, b, n)
  end
  if not (n > 1 or (n == 1 and a == b)) then
    error("bad argument #3 to '" .. fname .. "' (invalid number of points: " .. tostring(n) .. ")", 4)
  end
  if res:nElement() ~= n then run("resize_", res._h, { n }) end
  if n == 1 then
    run("fill_.Scalar", res._h, fname == "logspace" and 10 ^ a or a)
    return
  end
  local info = core.info(res)
  local dtype, diff = aten.dtype.float64, b - a
  if info.short == "Float" or info.short == "Half" then
    dtype, a = aten.dtype.float32, as_float(a)
    diff = as_float(as_float(b) - a)
  end
  local h = call("arange.start_step", 0, n, 1, dtype, nil, { info.device, -1 }, nil)
  run("mul_.Scalar", h, diff)
  run("div_.Scalar", h, n - 1)
  run("add_.Scalar", h, a, 1)
  local values = wrap(h)
  if fname == "logspace" then  -- C's pow(10, x), as TH computed each element
    values = values:double()
    local p = ffi.cast("double*", values:data())
    for i = 0, n - 1 do p[i] = 10 ^ p[i] end
  end
  res:copy(values)
end

constructor("linspace", function(res, a, b, n) spaced("linspace", res, a, b, n) end)
constructor("logspace", function(res, a, b, n) spaced("logspace", res, a, b, n) end)

-- range(a, b [,step]): both ends included, floor((b-a)/step)+1 values a + i*step
constructor("range", function(res, a, b, step)
  step = step or 1
  if type(a) ~= "number" or type(b) ~= "number" or type(step) ~= "number" then
    core.bad_args("range", res, a, b, step)
  end
  local info = core.info(res)
  if info.integer then  -- Torch7 reads the bounds as integers of the tensor's type
    a, b, step = A.scalar_for(res, a), A.scalar_for(res, b), A.scalar_for(res, step)
  end
  if step == 0 then error("range: step must be a non-null number", 3) end
  if not ((step > 0 and b >= a) or (step < 0 and b <= a)) then
    error("range: upper bound and larger bound incoherent with step sign", 3)
  end
  local n = math.floor((b - a) / step + 1)
  local h = call("arange.start_step", 0, n, 1, aten.dtype.float64, nil, { info.device, -1 }, nil)
  run("mul_.Scalar", h, step)
  run("add_.Scalar", h, a, 1)
  if res:nElement() ~= n then run("resize_", res._h, { n }) end
  res:copy(wrap(h))
end)

-- zeros/ones(sizes... | LongStorage [, typename]); x:zeros(sizes) resizes and fills x
for name, value in pairs { zeros = 0, ones = 1 } do
  M[name] = function(self, ...)
    return self:resize(...):fill(value)
  end
  torch[name] = function(first, ...)
    if isTensor(first) then return M[name](first, ...) end
    local info, n = type_arg(first, ...)
    return M[name](empty_of(info), unpack({ first, ... }, 1, n))
  end
end

return M
