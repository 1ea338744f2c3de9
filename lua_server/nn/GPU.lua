-- nn.GPU(module, device [, outdevice]): Torch7 runs the module on a given CUDA device. This
-- runtime has no CUDA tensors, so the module runs where its tensors are and the devices are
-- only kept (so .t7 files that use nn.GPU load and run on the CPU).
local torch = require "torch"
local GPU, parent = torch.class("nn.GPU", "nn.Decorator")

function GPU:__init(module, device, outdevice)
  parent.__init(self, module)
  if type(device) ~= "number" then
    error("nn.GPU(module, device [, outdevice]): device must be a number, got " .. type(device), 2)
  end
  self.device = device
  self.outdevice = outdevice or device
end

function GPU:type(typeName, tensorCache)
  if typeName == "torch.CudaTensor" then
    error("nn.GPU: CUDA tensors are not available in this runtime", 2)
  end
  return parent.type(self, typeName, tensorCache)
end

function GPU:__tostring__()
  return string.format("%s(%d) @ %s", torch.type(self), self.device, tostring(self.modules[1]))
end

return GPU
