-- nn.Constant(value [, nInputDim]): outputs value (a number or a tensor) whatever the input;
-- when the input has more than nInputDim dimensions, one copy per row of the batch.
local torch = require "torch"
local Constant, parent = torch.class("nn.Constant", "nn.Module")

function Constant:__init(value, nInputDim)
  if type(value) == "number" then value = torch.Tensor({ value }) end
  if not torch.isTensor(value) then
    error("nn.Constant(value [, nInputDim]): value must be a number or a tensor, got " ..
      torch.type(value), 2)
  end
  self.value = value
  self.nInputDim = nInputDim
  parent.__init(self)
end

function Constant:updateOutput(input)
  if self.nInputDim and input:dim() > self.nInputDim then
    local size = self.value:size():totable()
    table.insert(size, 1, input:size(1))
    self.output:resize(torch.LongStorage(size))
    size[1] = 1
    self.output:copy(self.value:view(torch.LongStorage(size)):expandAs(self.output))
  else
    self.output:resize(self.value:size()):copy(self.value)
  end
  return self.output
end

function Constant:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input):zero()
  return self.gradInput
end

return Constant
