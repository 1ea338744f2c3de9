-- nn.JoinTable(dim [, nInputDims]): joins a table of tensors along dim. With nInputDims,
-- a batched input (one more dimension) joins along dim + 1; a negative dim counts from
-- the end.
local torch = require "torch"
local JoinTable, parent = torch.class("nn.JoinTable", "nn.Module")

function JoinTable:__init(dimension, nInputDims)
  parent.__init(self)
  self.size = torch.LongStorage()
  self.dimension = dimension
  self.gradInput = {}
  self.nInputDims = nInputDims
end

function JoinTable:_getPositiveDimension(input)
  local dimension = self.dimension
  if dimension < 0 then
    dimension = input[1]:dim() + dimension + 1
  elseif self.nInputDims and input[1]:dim() == self.nInputDims + 1 then
    dimension = dimension + 1
  end
  return dimension
end

function JoinTable:updateOutput(input)
  local dim = self:_getPositiveDimension(input)
  for i = 1, #input do
    local t = input[i]
    if i == 1 then
      self.size:resize(t:dim()):copy(t:size())
    else
      if t:dim() ~= #self.size then
        error(string.format("nn.JoinTable: input %d has %d dimensions, input 1 has %d", i, t:dim(),
          #self.size), 2)
      end
      self.size[dim] = self.size[dim] + t:size(dim)
    end
  end
  self.output:resize(self.size)
  local offset = 1
  for i = 1, #input do
    local n = input[i]:size(dim)
    self.output:narrow(dim, offset, n):copy(input[i])
    offset = offset + n
  end
  return self.output
end

function JoinTable:updateGradInput(input, gradOutput)
  local dim = self:_getPositiveDimension(input)
  for i = 1, #input do
    self.gradInput[i] = self.gradInput[i] or input[i].new()
    self.gradInput[i]:resizeAs(input[i])
  end
  for i = #input + 1, #self.gradInput do self.gradInput[i] = nil end
  local offset = 1
  for i = 1, #input do
    local n = input[i]:size(dim)
    self.gradInput[i]:copy(gradOutput:narrow(dim, offset, n))
    offset = offset + n
  end
  return self.gradInput
end

function JoinTable:type(type, tensorCache)
  self.gradInput = {}
  return parent.type(self, type, tensorCache)
end

return JoinTable
