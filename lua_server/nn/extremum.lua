-- nn.Max and nn.Min share everything but the reduction: the extreme value along a
-- dimension (dropped, but kept for 1-D input); the gradient goes back to its position.
-- install(class, parent, reduce) gives a class these methods.
local torch = require "torch"

return function(class, parent, reduce)
  function class:__init(dimension, nInputDims)
    parent.__init(self)
    self.dimension = dimension or 1
    self.nInputDims = nInputDims  -- no default: .t7 files rely on nil here
  end

  function class:_getPositiveDimension(input)
    local dimension = self.dimension
    if dimension < 0 then
      dimension = input:dim() + dimension + 1
    elseif self.nInputDims and input:dim() == self.nInputDims + 1 then
      dimension = dimension + 1
    end
    return dimension
  end

  function class:_lazyInit()
    self._output = self._output or self.output.new()
    self._indices = self._indices or torch.LongTensor()
  end

  function class:updateOutput(input)
    self:_lazyInit()
    local dimension = self:_getPositiveDimension(input)
    reduce(self._output, self._indices, input, dimension)
    if input:dim() > 1 then
      self.output:set(self._output:select(dimension, 1))
    else
      self.output:set(self._output)
    end
    return self.output
  end

  function class:updateGradInput(input, gradOutput)
    self:_lazyInit()
    local dimension = self:_getPositiveDimension(input)
    local g = gradOutput
    if input:dim() > 1 then g = gradOutput:unsqueeze(dimension) end
    self.gradInput:resizeAs(input):zero():scatter(dimension, self._indices, g)
    return self.gradInput
  end

  -- the indices stay a LongTensor whatever the module's type
  function class:type(type, tensorCache)
    local indices
    indices, self._indices = self._indices, nil
    parent.type(self, type, tensorCache)
    self._indices = indices and indices:long() or nil
    return self
  end

  function class:clearState()
    nn.utils.clear(self, "_indices", "_output")
    return parent.clearState(self)
  end
end
