-- Linear algebra in Torch7's forms. Method forms take the result as self:
-- res:mm(A, B); res:addmm([beta,] [M=res,] [alpha,] A, B) is res = beta*M + alpha*A*B,
-- and likewise addmv, addr, addbmm, baddbmm. torch.f(...) builds a new result.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local call, run, wrap = aten.call, aten.run, core.wrap
local one_thread = require "torch.one_thread"
local type, error, select = type, error, select
local isTensor = core.isTensor
local M = core.methods

-- products below this many multiply-adds run on one thread, as OpenBLAS (Torch7's usual
-- BLAS) decided (see torch/one_thread.lua)
local SMALL_PRODUCT = 65536 * 4

local function run_sized(work, ...)
  return one_thread.run(work, SMALL_PRODUCT, aten.run, ...)
end

local function need_dim(fname, t, dims, what)
  if not isTensor(t) then error(fname .. ": " .. what .. " must be a tensor, got " .. type(t), 4) end
  local d = t:dim()
  if d ~= dims then
    error(string.format("%s: %s must be a %dD tensor, got a %dD tensor of size %s",
      fname, what, dims, d, core.size_string(t)), 4)
  end
end

local function resize(self, sizes)
  local cur = core.sizes(self)
  local same = #cur == #sizes
  for i = 1, #sizes do same = same and cur[i] == sizes[i] end
  if not same then run("resize_", self._h, sizes) end
end

-- Split (beta?, M?, alpha?, X, Y) as Torch7's cwrap does for the add* BLAS forms.
-- (by argument count, without tables or loops: a loop here made the JIT's traces exit
-- on every call, and nn.Linear's forward of one row cost 25-35 us instead of 3; varargs
-- read with select only, see vararg_jit_spec)
local function addform(fname, self, ...)
  local n = select("#", ...)
  local beta, m, alpha = 1, self, 1
  if n < 2 or n > 5 then core.bad_args(fname, self, ...) end
  local x, y = (select(n - 1, ...)), (select(n, ...))
  if n == 3 then
    local a = (select(1, ...))
    if isTensor(a) then m = a else alpha = a end
  elseif n == 4 then
    local a, b = (select(1, ...)), (select(2, ...))
    if isTensor(a) then m, alpha = a, b else beta, alpha = a, b end
  elseif n == 5 then
    beta, m, alpha = (select(1, ...)), (select(2, ...)), (select(3, ...))
  end
  if not (isTensor(x) and isTensor(y) and isTensor(m) and type(beta) == "number" and type(alpha) == "number") then
    core.bad_args(fname, self, ...)
  end
  return beta, m, alpha, x, y
end

-- `small(c, a, b, alpha)`: the shim's direct BLAS call for small products into c (res:mm),
-- 1 when it did the work (contiguous Double/Float operands)
local function blas(fname, xdim, ydim, out_sizes, work, op, overload, small)
  M["add" .. fname] = function(self, ...)
    local beta, m, alpha, x, y = addform("add" .. fname, self, ...)
    need_dim("add" .. fname, x, xdim, "first operand")
    need_dim("add" .. fname, y, ydim, "second operand")
    local sizes = out_sizes(x, y)
    if m ~= self then
      resize(self, sizes)
      self:copy(m)
    end
    run_sized(work(x, y), op .. "_", self._h, x._h, y._h, beta, alpha)
    return self
  end
  if overload then
    local overload_out = overload .. ".out"
    M[overload] = function(self, x, y)
      -- operands the shim takes as they are (it checks shapes and types itself)
      if small and isTensor(x) and isTensor(y) and small(self, x, y, 1) == 1 then return self end
      if y == nil then
        error(overload .. ": the result is self and two operands are needed (res:" .. overload ..
          "(a, b)); use torch." .. overload .. "(a, b) for a new result", 2)
      end
      need_dim(overload, x, xdim, "first operand")
      need_dim(overload, y, ydim, "second operand")
      resize(self, out_sizes(x, y))
      if small and small(self, x, y, 1) == 1 then return self end  -- now that self is m x n
      run_sized(work(x, y), overload_out, x._h, y._h, self._h)
      return self
    end
  end
end

blas("mm", 2, 2, function(a, b) return { a:size(1), b:size(2) } end,
  function(a, b) return a:size(1) * a:size(2) * b:size(2) end, "addmm", "mm", aten.C.lt_small_mm)
-- res:addmm(a, b), the form nn's layers use, goes to the shim first
local addmm_general = M.addmm
function M:addmm(a, b, ...)
  if select("#", ...) == 0 and isTensor(a) and isTensor(b) and isTensor(self)
      and aten.C.lt_small_addmm(self, a, b, 1, 1) == 1 then
    return self
  end
  return addmm_general(self, a, b, ...)
end
blas("mv", 2, 1, function(a) return { a:size(1) } end,
  function(a) return a:size(1) * a:size(2) end, "addmv", "mv")
blas("r", 1, 1, function(a, b) return { a:size(1), b:size(1) } end,
  function(a, b) return a:size(1) * b:size(1) end, "addr", "ger")
blas("bmm", 3, 3, function(a, b) return { a:size(2), b:size(3) } end,
  function(a, b) return a:size(1) * a:size(2) * a:size(3) * b:size(3) end, "addbmm")
M.baddbmm = function(self, ...)
  local beta, m, alpha, x, y = addform("baddbmm", self, ...)
  need_dim("baddbmm", x, 3, "first operand")
  need_dim("baddbmm", y, 3, "second operand")
  if m ~= self then resize(self, { x:size(1), x:size(2), y:size(3) }); self:copy(m) end
  run_sized(x:size(1) * x:size(2) * x:size(3) * y:size(3), "baddbmm_", self._h, x._h, y._h, beta, alpha)
  return self
end
M.bmm = function(self, x, y)
  need_dim("bmm", x, 3, "first operand")
  need_dim("bmm", y, 3, "second operand")
  resize(self, { x:size(1), x:size(2), y:size(3) })
  run_sized(x:size(1) * x:size(2) * x:size(3) * y:size(3), "bmm.out", x._h, y._h, self._h)
  return self
end

for _, name in ipairs { "mm", "mv", "ger", "bmm" } do
  torch[name] = function(a, b, c)
    if c ~= nil then return M[name](a, b, c) end
    if not isTensor(a) then core.bad_args("torch." .. name, a, b) end
    return M[name](a.new(), a, b)
  end
end
for _, name in ipairs { "addmm", "addmv", "addr", "addbmm", "baddbmm" } do
  -- torch.addmm([res,] [beta,] M, [alpha,] A, B): a new result unless res leads
  torch[name] = function(...)
    local n, first = select("#", ...), (select(1, ...))
    local ntensors = 0
    for i = 1, n do if isTensor((select(i, ...))) then ntensors = ntensors + 1 end end
    if ntensors == 4 then return M[name](first, select(2, ...)) end
    local like
    for i = 1, n do local v = select(i, ...); if isTensor(v) then like = v; break end end
    return M[name](like.new(), ...)
  end
end

function M:dot(other)
  if self:nElement() ~= other:nElement() then
    error(string.format("dot: inconsistent tensor size, [%s] and [%s]", core.size_string(self),
      core.size_string(other)), 2)
  end
  return call("item", call("dot", call("reshape", self._h, { -1 }), call("reshape", other._h, { -1 })))
end
torch.dot = M.dot

function M:t()
  local d = self:dim()
  if d ~= 2 then error("t() expects a 2D tensor, got a " .. d .. "D tensor", 2) end
  return core.view_of(self, call("t", self._h))
end
torch.t = M.t

return M
