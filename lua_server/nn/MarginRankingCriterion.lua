-- nn.MarginRankingCriterion([margin=1]): max(0, -y (x1 - x2) + margin) for input {x1, x2}
-- and y = +-1 (numbers with 1-element inputs, or tensors for a batch, then averaged when
-- sizeAverage, true).
local torch = require "torch"
local MarginRankingCriterion, parent = torch.class("nn.MarginRankingCriterion", "nn.Criterion")

function MarginRankingCriterion:__init(margin)
  parent.__init(self)
  self.margin = margin or 1
  self.gradInput = { torch.Tensor(1), torch.Tensor(1) }
  self.sizeAverage = true
end

-- -y (x1 - x2) + margin, elementwise
local function distance(self, input, y)
  local d = input[1]:clone():add(-1, input[2])
  return d:mul(-1):cmul(y):add(self.margin)
end

function MarginRankingCriterion:updateOutput(input, y)
  if type(y) == "number" then
    self.output = math.max(0, -y * (input[1][1] - input[2][1]) + self.margin)
  else
    self.output = distance(self, input, y):cmax(0):sum()
    if self.sizeAverage then self.output = self.output / y:size(1) end
  end
  return self.output
end

function MarginRankingCriterion:updateGradInput(input, y)
  self.gradInput[1] = nn.utils.typeLike(self.gradInput[1], input[1])
  self.gradInput[2] = nn.utils.typeLike(self.gradInput[2], input[1])
  local g1, g2 = self.gradInput[1], self.gradInput[2]
  if type(y) == "number" then
    local dist = -y * (input[1][1] - input[2][1]) + self.margin
    g1:resize(1); g2:resize(1)
    if dist < 0 then
      g1[1], g2[1] = 0, 0
    else
      g1[1], g2[1] = -y, y
    end
  else
    local mask = distance(self, input, y):ge(0):typeAs(input[1])
    g1:resizeAs(mask):copy(mask):mul(-1):cmul(y)
    g2:resizeAs(mask):copy(mask):cmul(y)
    if self.sizeAverage then
      g1:div(y:size(1))
      g2:div(y:size(1))
    end
  end
  return self.gradInput
end

return MarginRankingCriterion
