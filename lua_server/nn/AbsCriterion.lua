-- nn.AbsCriterion([sizeAverage=true]): sum |x - y|, divided by the element count when
-- sizeAverage. The gradient is +-1 (+1 where x = y, as Torch7).
local torch = require "torch"
local AbsCriterion, parent = torch.class("nn.AbsCriterion", "nn.Criterion")

function AbsCriterion:__init(sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
end

function AbsCriterion:updateOutput(input, target)
  target = nn.utils.targetLike("nn.AbsCriterion", input, target)
  local d = input:clone():add(-1, target)
  self.output = d:abs():sum()
  if self.sizeAverage then self.output = self.output / input:nElement() end
  return self.output
end

function AbsCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  target = nn.utils.targetLike("nn.AbsCriterion", input, target)
  local norm = self.sizeAverage and 1 / input:nElement() or 1
  self.gradInput:resizeAs(input):copy(input:ge(target)):mul(2 * norm):add(-norm)
  return self.gradInput
end

return AbsCriterion
