-- nn.CrossEntropyCriterion([weights] [, sizeAverage=true]): nn.LogSoftMax followed by
-- nn.ClassNLLCriterion, on squeezed input and target.
local torch = require "torch"
local CrossEntropyCriterion, parent = torch.class("nn.CrossEntropyCriterion", "nn.Criterion")

function CrossEntropyCriterion:__init(weights, sizeAverage)
  parent.__init(self)
  self.lsm = nn.LogSoftMax()
  self.nll = nn.ClassNLLCriterion(weights, sizeAverage)
  self.sizeAverage = self.nll.sizeAverage
  self.oldSizeAverage = self.sizeAverage
end

-- setting sizeAverage on this criterion reaches the inner ClassNLLCriterion; setting the
-- inner one directly (old code does) keeps working too
local function syncSizeAverage(self)
  if self.sizeAverage ~= self.oldSizeAverage then self.nll.sizeAverage = self.sizeAverage end
end

function CrossEntropyCriterion:updateOutput(input, target)
  -- the inner modules follow the input's type (an unconverted criterion still works)
  if torch.typename(self.lsm.output) ~= torch.typename(input) then
    self.lsm:type(torch.typename(input))
    self.gradInput = input.new()
  end
  input = input:squeeze()
  target = type(target) == "number" and target or target:squeeze()
  syncSizeAverage(self)
  self.lsm:updateOutput(input)
  self.nll:updateOutput(self.lsm.output, target)
  self.output = self.nll.output
  self.oldSizeAverage = self.sizeAverage
  return self.output
end

function CrossEntropyCriterion:updateGradInput(input, target)
  local size = input:size()
  input = input:squeeze()
  target = type(target) == "number" and target or target:squeeze()
  syncSizeAverage(self)
  self.nll:updateGradInput(self.lsm.output, target)
  self.lsm:updateGradInput(input, self.nll.gradInput)
  self.gradInput:view(self.lsm.gradInput, size)
  self.oldSizeAverage = self.sizeAverage
  return self.gradInput
end

return CrossEntropyCriterion
