-- nn.Narrow(dimension, offset [, length=1]): input:narrow(dimension, offset, length),
-- copied. A negative dimension counts from the end; a negative length leaves that many
-- elements minus one off the end (-1 reaches the last element).
local torch = require "torch"
local Narrow, parent = torch.class("nn.Narrow", "nn.Module")

function Narrow:__init(dimension, offset, length)
  parent.__init(self)
  self.dimension = dimension
  self.index = offset
  self.length = length or 1
  if not dimension or not offset then error("nn.Narrow(dimension, offset, length)", 2) end
end

-- (dim, index, length) for this input, resolving the negative forms as Torch7 does
local function range(self, input)
  local dim = self.dimension < 0 and input:dim() + self.dimension + 1 or self.dimension
  local length = self.length
  if length < 0 then length = input:size(dim) - self.index + self.length + 2 end
  local index = self.index
  if index < 0 then
    index = 1
    length = input:size(dim) - length
  end
  return dim, index, length
end

function Narrow:updateOutput(input)
  local output = input:narrow(range(self, input))
  self.output = self.output:typeAs(output)
  self.output:resizeAs(output):copy(output)
  return self.output
end

function Narrow:updateGradInput(input, gradOutput)
  local dim, index, length = range(self, input)
  self.gradInput = self.gradInput:typeAs(input)
  self.gradInput:resizeAs(input):zero()
  self.gradInput:narrow(dim, index, length):copy(gradOutput)
  return self.gradInput
end

return Narrow
