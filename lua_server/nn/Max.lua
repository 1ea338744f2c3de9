-- nn.Max([dim=1] [, nInputDims]): the largest value along dim, which is dropped (kept for 1-D
-- input). The gradient goes to the position it came from.
local torch = require "torch"
local Max, parent = torch.class("nn.Max", "nn.Module")

function Max:__init(dimension, nInputDims)
  parent.__init(self)
  self.dimension = dimension or 1
  self.nInputDims = nInputDims  -- no default: .t7 files rely on nil here
end

function Max:_getPositiveDimension(input)
  local dimension = self.dimension
  if dimension < 0 then
    dimension = input:dim() + dimension + 1
  elseif self.nInputDims and input:dim() == self.nInputDims + 1 then
    dimension = dimension + 1
  end
  return dimension
end

function Max:_lazyInit()
  self._output = self._output or self.output.new()
  self._indices = self._indices or torch.LongTensor()
end

function Max:updateOutput(input)
  self:_lazyInit()
  local dimension = self:_getPositiveDimension(input)
  torch.max(self._output, self._indices, input, dimension)
  if input:dim() > 1 then
    self.output:set(self._output:select(dimension, 1))
  else
    self.output:set(self._output)
  end
  return self.output
end

function Max:updateGradInput(input, gradOutput)
  self:_lazyInit()
  local dimension = self:_getPositiveDimension(input)
  local g = gradOutput
  if input:dim() > 1 then g = gradOutput:unsqueeze(dimension) end
  self.gradInput:resizeAs(input):zero():scatter(dimension, self._indices, g)
  return self.gradInput
end

-- the indices stay a LongTensor whatever the module's type
function Max:type(type, tensorCache)
  local indices
  indices, self._indices = self._indices, nil
  parent.type(self, type, tensorCache)
  self._indices = indices and indices:long() or nil
  return self
end

function Max:clearState()
  nn.utils.clear(self, "_indices", "_output")
  return parent.clearState(self)
end

return Max
