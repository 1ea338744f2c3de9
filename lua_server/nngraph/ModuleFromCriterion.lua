-- nn.ModuleFromCriterion: a criterion as a module, so it can sit in a graph.
-- Input {prediction, target}; output a one-element tensor; the target gets a zero gradient.
local torch = require "torch"
local ModuleFromCriterion = torch.class("nn.ModuleFromCriterion", "nn.Module")

function ModuleFromCriterion:__init(criterion)
  self.criterion = criterion
  self.output = torch.Tensor(1)
  self.gradInput = { torch.Tensor(), torch.Tensor() }
end

function ModuleFromCriterion:updateOutput(input)
  local prediction, target = input[1], input[2]
  self.output[1] = self.criterion:updateOutput(prediction, target)
  return self.output
end

function ModuleFromCriterion:updateGradInput(input, gradOutput)
  local prediction, target = input[1], input[2]
  local gradPrediction = self.criterion:updateGradInput(prediction, target)
  self.gradInput[1]:resizeAs(gradPrediction):copy(gradPrediction):mul(gradOutput[1])
  self.gradInput[2]:resizeAs(target):zero()
  return self.gradInput
end

return ModuleFromCriterion
