-- nn.Min([dim=1] [, nInputDims]): the smallest value along dim, which is dropped (kept for 1-D
-- input). The gradient goes to the position it came from.
local torch = require "torch"
local Min, parent = torch.class("nn.Min", "nn.Module")

function Min:__init(dimension, nInputDims)
  parent.__init(self)
  self.dimension = dimension or 1
  self.nInputDims = nInputDims  -- no default: .t7 files rely on nil here
end

function Min:_getPositiveDimension(input)
  local dimension = self.dimension
  if dimension < 0 then
    dimension = input:dim() + dimension + 1
  elseif self.nInputDims and input:dim() == self.nInputDims + 1 then
    dimension = dimension + 1
  end
  return dimension
end

function Min:_lazyInit()
  self._output = self._output or self.output.new()
  self._indices = self._indices or torch.LongTensor()
end

function Min:updateOutput(input)
  self:_lazyInit()
  local dimension = self:_getPositiveDimension(input)
  torch.min(self._output, self._indices, input, dimension)
  if input:dim() > 1 then
    self.output:set(self._output:select(dimension, 1))
  else
    self.output:set(self._output)
  end
  return self.output
end

function Min:updateGradInput(input, gradOutput)
  self:_lazyInit()
  local dimension = self:_getPositiveDimension(input)
  local g = gradOutput
  if input:dim() > 1 then g = gradOutput:unsqueeze(dimension) end
  self.gradInput:resizeAs(input):zero():scatter(dimension, self._indices, g)
  return self.gradInput
end

-- the indices stay a LongTensor whatever the module's type
function Min:type(type, tensorCache)
  local indices
  indices, self._indices = self._indices, nil
  parent.type(self, type, tensorCache)
  self._indices = indices and indices:long() or nil
  return self
end

function Min:clearState()
  nn.utils.clear(self, "_indices", "_output")
  return parent.clearState(self)
end

return Min
