-- nn.HingeEmbeddingCriterion([margin=1]): x where y = 1 and max(0, margin - x) where
-- y = -1, summed (divided by the element count when sizeAverage, true). y is a tensor of
-- +-1 or a number.
local torch = require "torch"
local HingeEmbeddingCriterion, parent = torch.class("nn.HingeEmbeddingCriterion", "nn.Criterion")

function HingeEmbeddingCriterion:__init(margin)
  parent.__init(self)
  self.margin = margin or 1
  self.sizeAverage = true
end

local function labels(self, input, y)
  if not torch.isTensor(y) then
    self.ty = self.ty or input.new():resize(1)
    self.ty[1] = y
    y = self.ty
  end
  return y
end

function HingeEmbeddingCriterion:updateOutput(input, y)
  y = labels(self, input, y)
  self.buffer = self.buffer or input.new()
  self.buffer:resizeAs(input):copy(input)
  self.buffer:maskedFill(y:eq(-1), 0)
  self.output = self.buffer:sum()
  self.buffer:fill(self.margin):add(-1, input):cmax(0)
  self.buffer:maskedFill(y:eq(1), 0)
  self.output = self.output + self.buffer:sum()
  if self.sizeAverage == nil or self.sizeAverage == true then
    self.output = self.output / input:nElement()
  end
  return self.output
end

-- 1 for y = 1; -1 for y = -1 inside the margin, 0 outside it
function HingeEmbeddingCriterion:updateGradInput(input, y)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  y = labels(self, input, y)
  self.gradInput:resizeAs(input):copy(y)
  self.gradInput:maskedFill(torch.cmul(y:eq(-1), input:gt(self.margin)), 0)
  if self.sizeAverage == nil or self.sizeAverage == true then
    self.gradInput:mul(1 / input:nElement())
  end
  return self.gradInput
end

return HingeEmbeddingCriterion
