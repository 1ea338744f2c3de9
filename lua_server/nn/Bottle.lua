-- nn.Bottle(module [, nInputDim=2] [, nOutputDim=nInputDim]): runs a module written for
-- nInputDim-D input on input with more leading dimensions, by folding those into the first
-- one, and unfolds the module's output the same way.
local torch = require "torch"
local Bottle, parent = torch.class("nn.Bottle", "nn.Decorator")

function Bottle:__init(module, nInputDim, nOutputDim)
  parent.__init(self, module)
  self.nInputDim = nInputDim or 2
  self.nOutputDim = nOutputDim or self.nInputDim
  self.dimDelta = self.nInputDim - self.nOutputDim
  -- the folded input and output sizes of the last forward (Torch7's field names)
  self.inShape = torch.Tensor(self.nInputDim)
  self.outShape = torch.Tensor(self.nOutputDim)
end

local function sizes(t) return torch.LongStorage(t:totable()) end

function Bottle:updateOutput(input)
  local nLead = input:dim() - self.nInputDim  -- dimensions folded into the first
  if nLead <= 0 then
    self.output:set(self.modules[1]:updateOutput(input))
    return self.output
  end
  local size = input:size():totable()
  local folded = 1
  for d = 1, nLead + 1 do folded = folded * size[d] end
  for d = 1, self.nInputDim do self.inShape[d] = size[nLead + d] end
  self.inShape[1] = folded
  local output = self.modules[1]:updateOutput(input:view(sizes(self.inShape)))
  if output:dim() ~= self.nOutputDim then
    error(string.format("nn.Bottle: the module gave a %dD output, expected %dD", output:dim(),
      self.nOutputDim), 2)
  end
  for d = 1, self.nOutputDim do self.outShape[d] = output:size(d) end
  local outSize = {}
  for d = 1, nLead do outSize[d] = size[d] end
  for d = 1, self.nOutputDim do outSize[nLead + d] = output:size(d) end
  -- the module's first dimension held the lead dimensions times its own
  outSize[nLead + 1] = output:size(1) / (folded / size[nLead + 1])
  self.output:set(output:view(torch.LongStorage(outSize)))
  return self.output
end

function Bottle:updateGradInput(input, gradOutput)
  if input:dim() > self.nInputDim then
    local gradInput = self.modules[1]:updateGradInput(input:view(sizes(self.inShape)),
      gradOutput:view(sizes(self.outShape)))
    self.gradInput:set(gradInput:viewAs(input))
  else
    self.gradInput:set(self.modules[1]:updateGradInput(input, gradOutput))
  end
  return self.gradInput
end

function Bottle:accGradParameters(input, gradOutput, scale)
  if input:dim() > self.nInputDim then
    input = input:view(sizes(self.inShape))
    gradOutput = gradOutput:view(sizes(self.outShape))
  end
  self.modules[1]:accGradParameters(input, gradOutput, scale)
end

return Bottle
