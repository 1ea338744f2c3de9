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
-- torch.test(): runs torch7's own test/test.lua, given by $TORCH_TEST_FILE
require "torch.test"

-- LAPACK and convolution functions of the Torch7 tensor library (torch.* only)
require "torch.TensorLapack"
require "torch.TensorLapackDecomp"
require "torch.TensorConv"

-- the rest of Torch7's tensor library (issue 12)
require "torch.util"
require "torch.TensorCompat"
require "torch.TensorBitwise"
require "torch.TensorHistogram"
require "torch.TensorMultinomialAlias"

-- every tensor class gets the shared methods as its own, so nn.Module-style lookups
-- (torch.FloatTensor.add) and Torch7's operator hooks find them
for _, mt in pairs(core.tensor_mt) do
  for k, v in pairs(core.methods) do rawset(mt, k, v) end
end

require "torch.File"
require "torch.FileObject"
require "torch.DiskFile"
require "torch.MemoryFile"
require "torch.PipeFile"
require "torch.serialize"
require("torch.serialize_tensor").install(torch)

torch.setdefaulttensortype("torch.DoubleTensor")

-- Torch7's package helpers (torch.include, packageLuaPath); like Torch7, this also defines
-- the global `paths`
require "torch.package"

-- Torch7's torch.version(obj) is a class's serialization version
function torch.version(obj)
  local mt = getmetatable(obj)
  return type(mt) == "table" and rawget(mt, "__version") or nil
end
torch.runtime = "luatorch 0.1 (Torch7-compatible, ATen " .. require("aten").config.torch_version .. ")"
return torch
