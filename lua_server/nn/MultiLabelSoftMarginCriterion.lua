-- nn.MultiLabelSoftMarginCriterion([weights] [, sizeAverage=true]): the summed binary
-- cross-entropy of sigmoid(x) against 0/1 targets, -(y log p + (1 - y) log(1 - p)), in the
-- stable form log(1 + exp(-|x|)) + max(x, 0) - y x; weights (1-D, one per class) scale
-- each class; divided by the element count when sizeAverage.
local torch = require "torch"
local MultiLabelSoftMarginCriterion, parent =
  torch.class("nn.MultiLabelSoftMarginCriterion", "nn.Criterion")

function MultiLabelSoftMarginCriterion:__init(weights, sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
  if weights ~= nil then
    if weights:dim() ~= 1 then error("nn.MultiLabelSoftMarginCriterion: weights should be a 1-D Tensor", 2) end
    self.weights = weights
  end
  self.sigmoid = nn.Sigmoid()
end

-- the class weights in the target's shape, or nil
local function weightsLike(self, target)
  local w = self.weights
  if w ~= nil and target:dim() ~= 1 then w = w:view(1, target:size(2)):expandAs(target) end
  return w
end

function MultiLabelSoftMarginCriterion:updateOutput(input, target)
  local x = input:contiguous():view(input:nElement())
  local y = target:contiguous():view(target:nElement())
  self.sigmoid:updateOutput(x)
  local positive = torch.ge(x, 0):typeAs(x)
  -- log(1 + exp(x - 2 x [x >= 0])) - x (y - [x >= 0])
  local losses = torch.cmul(x, positive):mul(-2):add(x):exp():add(1):log()
  losses:add(-1, positive:mul(-1):add(y):cmul(x))
  local w = weightsLike(self, target)
  if w ~= nil then losses:cmul(w:contiguous():view(-1)) end
  self.output = losses:sum()
  if self.sizeAverage then self.output = self.output / input:nElement() end
  return self.output
end

-- d/dx = (sigmoid(x) - y) * weight
function MultiLabelSoftMarginCriterion:updateGradInput(input, target)
  self.gradInput:resizeAs(input):copy(self.sigmoid.output:viewAs(input)):add(-1, target)
  local w = weightsLike(self, target)
  if w ~= nil then self.gradInput:cmul(w) end
  if self.sizeAverage then self.gradInput:div(target:nElement()) end
  return self.gradInput
end

return MultiLabelSoftMarginCriterion
