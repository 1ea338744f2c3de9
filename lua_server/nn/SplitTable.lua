-- nn.SplitTable(dim [, nInputDims]): a tensor into the table of its slices along dim
-- (views, not copies). Batched input (nInputDims + 1 dimensions) splits along dim + 1;
-- a negative dim counts from the end.
local torch = require "torch"
local SplitTable, parent = torch.class("nn.SplitTable", "nn.Module")

function SplitTable:__init(dimension, nInputDims)
  parent.__init(self)
  self.dimension = dimension
  self.nInputDims = nInputDims
end

function SplitTable:_getPositiveDimension(input)
  local dimension = self.dimension
  if dimension < 0 then
    dimension = input:dim() + dimension + 1
  elseif self.nInputDims and input:dim() == self.nInputDims + 1 then
    dimension = dimension + 1
  end
  return dimension
end

function SplitTable:updateOutput(input)
  local dim = self:_getPositiveDimension(input)
  local out = {}
  for i = 1, input:size(dim) do out[i] = input:select(dim, i) end
  self.output = out
  return self.output
end

function SplitTable:updateGradInput(input, gradOutput)
  local dim = self:_getPositiveDimension(input)
  if self.gradInput then
    self.gradInput:resizeAs(input)
    for i = 1, input:size(dim) do self.gradInput:select(dim, i):copy(gradOutput[i]) end
  end
  return self.gradInput
end

return SplitTable
