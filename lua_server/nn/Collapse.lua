-- nn.Collapse(nInputDim): flattens each sample to a vector: an input with more than
-- nInputDim dimensions becomes batch x features, any other a single vector.
local torch = require "torch"
local Collapse, parent = torch.class("nn.Collapse", "nn.Module")

function Collapse:__init(nInputDim)
  parent.__init(self)
  self.nInputDim = nInputDim
end

function Collapse:updateOutput(input)
  if not input:isContiguous() then
    self._input = self._input or input.new()
    self._input:resize(input:size()):copy(input)
    input = self._input
  end
  if input:dim() > self.nInputDim then
    self.output:set(input:view(input:size(1), -1))
  else
    self.output:set(input:view(-1))
  end
  return self.output
end

function Collapse:updateGradInput(input, gradOutput)
  self.gradInput:set(gradOutput:contiguous():view(input:size()))
  return self.gradInput
end

function Collapse:clearState()
  nn.utils.clear(self, "_input")
  return parent.clearState(self)
end

return Collapse
