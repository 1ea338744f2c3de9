-- nn.PartialLinear(inputSize, outputSize [, bias=true]): a Linear layer that can compute
-- only a chosen set of its output units (setPartition(indices)); all parameters are kept,
-- so resetPartition() gives the full layer back. Built as Torch7 builds it: the weight
-- rows are a LookupTable (outputSize x inputSize, drawn N(0, 1)) selected by the partition
-- and multiplied with the input (MM(false, true)); bias is 1 x outputSize, zero at start.
local torch = require "torch"
local PartialLinear, parent = torch.class("nn.PartialLinear", "nn.Module")

function PartialLinear:__init(inputsize, outputsize, bias)
  parent.__init(self)
  if bias == nil then bias = true end
  local pt = nn.ParallelTable()
  pt:add(nn.Identity()):add(nn.LookupTable(outputsize, inputsize))
  self.network = nn.Sequential():add(pt):add(nn.MM(false, true))
  if bias then
    self.bias = torch.Tensor(1, outputsize):zero()
    self.gradBias = torch.Tensor(1, outputsize):zero()
  end
  self.inputsize = inputsize
  self.outputsize = outputsize
  self.allcolumns = torch.range(1, outputsize)
  self:resetPartition()
end

function PartialLinear:setPartition(indices)
  self.partition = indices:type(self.allcolumns:type())
end

function PartialLinear:resetPartition()
  self.partition = self.allcolumns
end

local function lookup(self) return self.network:get(1):get(2) end

function PartialLinear:parameters()
  return { lookup(self).weight, self.bias }, { lookup(self).gradWeight, self.gradBias }
end

function PartialLinear:updateOutput(input)
  local y = self.network:forward({ input, self.partition })
  self.output:resizeAs(y):copy(y)
  if self.bias then
    self.output:add(self.bias:index(2, self.partition:long()):expandAs(self.output))
  end
  return self.output
end

function PartialLinear:updateGradInput(input, gradOutput)
  if self.gradInput then
    self.network:updateGradInput({ input, self.partition }, gradOutput)
    self.gradInput:set(self.network.gradInput[1])
  end
  return self.gradInput
end

function PartialLinear:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  self.network:accGradParameters({ input, self.partition }, gradOutput, scale)
  if self.bias then
    local perUnit = gradOutput:sum(1):mul(scale)   -- 1 x #partition
    self.gradBias:indexAdd(2, self.partition:long(), perUnit)
  end
end

function PartialLinear:accUpdateGradParameters(input, gradOutput, lr)
  local lt = lookup(self)
  local gradWeight, gradBias = lt.gradWeight, self.gradBias
  lt.gradWeight, self.gradBias = lt.weight, self.bias
  self:accGradParameters(input, gradOutput, -lr)
  lt.gradWeight, self.gradBias = gradWeight, gradBias
end

function PartialLinear:zeroGradParameters()
  self.network:zeroGradParameters()
  if self.gradBias then self.gradBias:zero() end
end

function PartialLinear:updateParameters(learningRate)
  self.network:updateParameters(learningRate)
  if self.bias then self.bias:add(-learningRate, self.gradBias) end
end

function PartialLinear:__tostring__()
  return torch.type(self) .. string.format("(%d -> %d)", self.inputsize, self.outputsize) ..
    (self.bias == nil and " without bias" or "")
end

return PartialLinear
