-- nn.OneHot(outputSize): class indices (1-based, a tensor of any shape or one number) to
-- one-hot vectors: the output has the input's size plus a last dimension of outputSize.
local torch = require "torch"
local OneHot, parent = torch.class("nn.OneHot", "nn.Module")

function OneHot:__init(outputSize)
  parent.__init(self)
  self.outputSize = outputSize
end

function OneHot:updateOutput(input)
  local size
  if type(input) == "number" then
    self._single = self._single or torch.LongTensor()
    self._single:resize(1)[1] = input
    input = self._single
    size = {}  -- one number gives one vector
  else
    size = input:size():totable()
  end
  size[#size + 1] = self.outputSize
  self.output:resize(torch.LongStorage(size)):zero()
  if input:nElement() == 0 then return self.output end
  local lo, hi = input:min(), input:max()
  if lo < 1 or hi > self.outputSize then
    error(string.format("nn.OneHot(%d): class indices must lie in [1, %d], got values in [%g, %g]",
      self.outputSize, self.outputSize, lo, hi), 2)
  end
  size[#size] = 1
  self._input = self._input or torch.LongTensor()
  self._input:resize(input:size()):copy(input)
  self.output:scatter(self.output:dim(), self._input:view(torch.LongStorage(size)), 1)
  return self.output
end

function OneHot:updateGradInput(input, gradOutput)
  if type(input) == "number" then return 0 end
  self.gradInput:resize(input:size()):zero()
  return self.gradInput
end

function OneHot:type(typeName, tensorCache)
  if not typeName then return parent.type(self) end
  -- index buffers stay LongTensors
  local single, inp = self._single, self._input
  self._single, self._input = nil, nil
  parent.type(self, typeName, tensorCache)
  self._single, self._input = single, inp
  return self
end

function OneHot:clearState()
  nn.utils.clear(self, "_single", "_input")
  return parent.clearState(self)
end

return OneHot
