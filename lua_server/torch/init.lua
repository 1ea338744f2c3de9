-- require 'torch': a Torch7-compatible runtime on ATen. This file is only the load order.
local torch = require "torch.env"
local core = require "torch.core"

require "torch.Tensor"
require "torch.Storage"
require "torch.TensorIndex"
require "torch.TensorView"
require "torch.TensorArith"
require "torch.TensorBlas"
require "torch.TensorReduce"
require "torch.TensorMath"
require "torch.TensorShape"
require "torch.TensorSort"
require "torch.TensorOperators"
require "torch.TensorRandom"
require "torch.TensorPrint"
require "torch.TensorApply"
require "torch.Timer"
require "torch.CmdLine"
require "torch.Tester"

-- every tensor class gets the shared methods as its own, so nn.Module-style lookups
-- (torch.FloatTensor.add) and Torch7's operator hooks find them
for _, mt in pairs(core.tensor_mt) do
  for k, v in pairs(core.methods) do rawset(mt, k, v) end
end

require "torch.File"
require "torch.FileObject"
require "torch.DiskFile"
require "torch.MemoryFile"
require "torch.serialize"
require("torch.serialize_tensor").install(torch)

torch.setdefaulttensortype("torch.DoubleTensor")

-- Torch7's torch.version(obj) is a class's serialization version
function torch.version(obj)
  local mt = getmetatable(obj)
  return type(mt) == "table" and rawget(mt, "__version") or nil
end
-- Torch7's LuaJIT was built with Lua 5.2 compatibility, so Torch7 code (nn's tests among
-- it) calls table.unpack and table.pack; Debian's LuaJIT has neither
table.unpack = table.unpack or unpack  -- luacheck: ignore
table.pack = table.pack or function(...) return { n = select("#", ...), ... } end  -- luacheck: ignore

torch.runtime = "luatorch 0.1 (Torch7-compatible, ATen " .. require("aten").config.torch_version .. ")"
return torch
