-- nn.Transpose({d1, d2}, {d3, d4}, ...): the transpositions applied in order; the output
-- is a contiguous copy. setNumInputDims(n) shifts the dimensions past a batch dimension.
local torch = require "torch"
local Transpose, parent = torch.class("nn.Transpose", "nn.Module")

function Transpose:__init(...)
  parent.__init(self)
  self.permutations = { ... }
  self.numInputDims = nil
end

function Transpose:setNumInputDims(numInputDims)
  self.numInputDims = numInputDims
  return self
end

local function offset(self, input)
  return self.numInputDims and input:nDimension() - self.numInputDims or 0
end

function Transpose:updateOutput(input)
  local off = offset(self, input)
  for _, perm in ipairs(self.permutations) do
    input = input:transpose(perm[1] + off, perm[2] + off)
  end
  self.output:resizeAs(input):copy(input)
  return self.output
end

function Transpose:updateGradInput(input, gradOutput)
  local off = offset(self, input)
  for i = #self.permutations, 1, -1 do
    local perm = self.permutations[i]
    gradOutput = gradOutput:transpose(perm[1] + off, perm[2] + off)
  end
  self.gradInput:resizeAs(gradOutput):copy(gradOutput)
  return self.gradInput
end

return Transpose
