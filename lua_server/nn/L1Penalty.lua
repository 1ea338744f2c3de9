-- nn.L1Penalty(l1weight [, sizeAverage=false] [, provideOutput=true]): passes its input
-- through and adds the gradient of the L1 penalty l1weight * ||x||_1 (divided by the
-- element count when sizeAverage) to gradOutput; the penalty is kept in `loss`. Without
-- provideOutput the gradient is the penalty's alone.
local torch = require "torch"
local L1Penalty, parent = torch.class("nn.L1Penalty", "nn.Module")

function L1Penalty:__init(l1weight, sizeAverage, provideOutput)
  parent.__init(self)
  self.l1weight = l1weight
  self.sizeAverage = sizeAverage or false
  if provideOutput == nil then self.provideOutput = true else self.provideOutput = provideOutput end
end

local function weightFor(self, input)
  if self.sizeAverage == true then return self.l1weight / input:nElement() end
  return self.l1weight
end

function L1Penalty:updateOutput(input)
  self.loss = weightFor(self, input) * input:norm(1)
  self.output = input
  return self.output
end

function L1Penalty:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input):copy(input):sign():mul(weightFor(self, input))
  if self.provideOutput == true then self.gradInput:add(gradOutput) end
  return self.gradInput
end

return L1Penalty
