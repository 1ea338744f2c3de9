-- nn.CriterionTable(criterion): a criterion as a module: input {input, target} -> the loss
-- (a number); gradInput is {dLoss/dinput}. The gradOutput given to backward is ignored.
local torch = require "torch"
local CriterionTable, parent = torch.class("nn.CriterionTable", "nn.Module")

function CriterionTable:__init(criterion)
  parent.__init(self)
  self.criterion = criterion
  self.gradInput = { criterion.gradInput }
end

function CriterionTable:updateOutput(input)
  self.output = self.criterion:updateOutput(unpack(input))
  return self.output
end

function CriterionTable:updateGradInput(input, gradOutput)
  self.gradInput[1] = self.criterion:updateGradInput(unpack(input))
  return self.gradInput
end

return CriterionTable
