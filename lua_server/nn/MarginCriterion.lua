-- nn.MarginCriterion([margin=1]): the two-class hinge loss sum max(0, margin - x y) for
-- targets y of +-1, divided by the element count when sizeAverage (true).
local torch = require "torch"
local MarginCriterion, parent = torch.class("nn.MarginCriterion", "nn.Criterion")

function MarginCriterion:__init(margin)
  parent.__init(self)
  self.sizeAverage = true
  self.margin = margin or 1
end

function MarginCriterion:updateOutput(input, target)
  target = nn.utils.targetLike("nn.MarginCriterion", input, target)
  local z = input:clone():cmul(target):mul(-1):add(self.margin):cmax(0)
  self.output = z:sum()
  if self.sizeAverage then self.output = self.output / input:nElement() end
  return self.output
end

-- -y where x y < margin, else 0
function MarginCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  target = nn.utils.targetLike("nn.MarginCriterion", input, target)
  local norm = self.sizeAverage and 1 / input:nElement() or 1
  local active = input:clone():cmul(target):lt(self.margin)
  self.gradInput:resizeAs(input):copy(target):mul(-norm):cmul(active:typeAs(input))
  return self.gradInput
end

return MarginCriterion
