-- Torch7 nn's kernels exist for Float and Double tensors only; integer tensors get an `nn`
-- table whose every lookup explains that, instead of a bare "attempt to call nil".
local torch = require "torch"

local unsupported = {
  __index = function(_, key)
    error("nn." .. tostring(key) .. " is only supported for Float or Double Tensors.", 2)
  end,
}

for _, name in ipairs({ "torch.ByteTensor", "torch.CharTensor", "torch.ShortTensor",
    "torch.IntTensor", "torch.LongTensor" }) do
  local mt = torch.getmetatable(name)
  if mt then rawset(mt, "nn", setmetatable({}, unsupported)) end
end
