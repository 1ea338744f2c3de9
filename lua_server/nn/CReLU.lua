-- nn.CReLU(nInputDims [, inplace=false]): concatenated ReLU, [relu(x), relu(-x)] along the
-- first non-batch dimension, which doubles. Built as Torch7 builds it: a Sequential of
-- ConcatTable(Identity, MulConstant(-1)), JoinTable(2) and ReLU over a flattened sample.
local torch = require "torch"
local CReLU, parent = torch.class("nn.CReLU", "nn.Sequential")

function CReLU:__init(nInputDims, inplace)
  parent.__init(self)
  self.nInputDims = nInputDims
  self.inplace = inplace or false
  local both = nn.ConcatTable()
  both:add(nn.Identity())
  both:add(nn.MulConstant(-1))
  self:add(both)
  self:add(nn.JoinTable(2))
  self:add(nn.ReLU(self.inplace))
end

-- the input as batch x (one flattened sample)
local function flat(self, input)
  if input:dim() == self.nInputDims + 1 then return input:view(input:size(1), -1), true end
  return input:view(1, -1), false
end

function CReLU:updateOutput(input)
  local x, batched = flat(self, input)
  parent.updateOutput(self, x)
  local size = input:size()
  local d = batched and 2 or 1
  size[d] = size[d] * 2
  self.output = self.output:view(size)
  return self.output
end

function CReLU:updateGradInput(input, gradOutput)
  local x, batched = flat(self, input)
  local g = batched and gradOutput:view(input:size(1), -1) or gradOutput:view(1, -1)
  parent.updateGradInput(self, x, g)
  self.gradInput = self.gradInput:view(input:size())
  return self.gradInput
end

-- no parameters: backward is updateGradInput, as in Torch7
function CReLU:backward(input, gradOutput)
  return self:updateGradInput(input, gradOutput)
end

function CReLU:__tostring__()
  return "CReLU()"
end

return CReLU
