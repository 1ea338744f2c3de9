-- nn.Select(dimension, index): input:select(dimension, index), copied. Negative
-- dimension and index count from the end.
local torch = require "torch"
local Select, parent = torch.class("nn.Select", "nn.Module")

function Select:__init(dimension, index)
  parent.__init(self)
  self.dimension = dimension
  self.index = index
end

local function position(self, input)
  local dim = self.dimension < 0 and input:dim() + self.dimension + 1 or self.dimension
  local index = self.index < 0 and input:size(dim) + self.index + 1 or self.index
  return dim, index
end

function Select:updateOutput(input)
  local output = input:select(position(self, input))
  self.output:resizeAs(output)
  return self.output:copy(output)
end

function Select:updateGradInput(input, gradOutput)
  local dim, index = position(self, input)
  self.gradInput:resizeAs(input):zero()
  self.gradInput:select(dim, index):copy(gradOutput)
  return self.gradInput
end

return Select
