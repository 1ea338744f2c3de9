-- Per-op cost of the Lua runtime: prints "name<TAB>microseconds" lines (process CPU time).
-- Run by bench/ops.py, which times the same ops in Python torch eager, interleaved.
--   ops_lua.lua iterations size rng_elements
require "torch"
local N = tonumber(arg[1]) or 20000
local size = tonumber(arg[2]) or 8
local rng_elements = tonumber(arg[3]) or 16 * 1024 * 1024
local clock = os.clock
torch.setnumthreads(1)

local a = torch.rand(size, size)
local b = torch.rand(size, size)
local c = torch.rand(size, size)
local cases = {
  { "add_inplace", function() a:add(b) end },
  { "add_new", function() return a + b end },
  { "mul_scalar", function() a:mul(1.0000001) end },
  { "cmul", function() a:cmul(b) end },
  { "mm", function() c:mm(a, b) end },
  { "addmm", function() c:addmm(a, b) end },
  { "sum", function() return a:sum() end },
  { "sigmoid", function() c:sigmoid(a) end },
  { "narrow", function() return a:narrow(1, 2, 3) end },
  { "select", function() return a:select(1, 2) end },
  { "element_read", function() return a[2][3] end },
  { "element_write", function() a[2][3] = 0.5 end },
  { "clone", function() return a:clone() end },
  { "copy", function() c:copy(a) end },
  { "size", function() return a:size(1) end },
}
for _, case in ipairs(cases) do
  local name, f = case[1], case[2]
  for _ = 1, 200 do f() end  -- warm up the JIT and ATen
  collectgarbage()
  local t0 = clock()
  for _ = 1, N do f() end
  local us = (clock() - t0) / N * 1e6
  io.write(name, "\t", string.format("%.3f", us), "\n")
  a:uniform(); b:uniform()
end

-- the random generator: one fill of a FloatTensor (Torch7's MT19937 stream)
local r = torch.FloatTensor(rng_elements)
r:uniform()
local t0 = clock()
r:uniform()
io.write("uniform_float", "\t", string.format("%.3f", (clock() - t0) * 1e6), "\n")
