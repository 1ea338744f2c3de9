-- nn.DistKLDivCriterion([sizeAverage=true]): the KL divergence sum y (log y - x) of a
-- target distribution y from log-probabilities x (terms with y = 0 count 0), divided by
-- the element count when sizeAverage.
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local DistKLDivCriterion, parent = torch.class("nn.DistKLDivCriterion", "nn.Criterion")

local MEAN, SUM = 1, 2

function DistKLDivCriterion:__init(sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
end

function DistKLDivCriterion:updateOutput(input, target)
  target = nn.utils.targetLike("nn.DistKLDivCriterion", input, target)
  local reduction = self.sizeAverage and MEAN or SUM
  self.output = call("item", call("kl_div", input._h, target._h, reduction, false))
  return self.output
end

-- d/dx = -y where y > 0, else 0
function DistKLDivCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  target = nn.utils.targetLike("nn.DistKLDivCriterion", input, target)
  local norm = self.sizeAverage and 1 / input:nElement() or 1
  self.gradInput:resizeAs(input):copy(target):mul(-norm)
  self.gradInput:maskedFill(target:le(0), 0)
  return self.gradInput
end

return DistKLDivCriterion
