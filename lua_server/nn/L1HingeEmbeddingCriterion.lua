-- nn.L1HingeEmbeddingCriterion([margin=1]): input {a, b}, target y = 1 or -1. The loss is
-- the L1 distance d = ||a - b||_1 for y = 1 and max(0, margin - d) for y = -1.
local torch = require "torch"
local L1HingeEmbeddingCriterion, parent = torch.class("nn.L1HingeEmbeddingCriterion", "nn.Criterion")

function L1HingeEmbeddingCriterion:__init(margin)
  parent.__init(self)
  self.margin = margin or 1
  self.gradInput = { torch.Tensor(), torch.Tensor() }
end

function L1HingeEmbeddingCriterion:updateOutput(input, y)
  self.output = input[1]:dist(input[2], 1)
  if y == -1 then self.output = math.max(0, self.margin - self.output) end
  return self.output
end

-- sign(a - b) for y = 1; its negation while d <= margin for y = -1, else 0. A zero
-- difference draws a random sign from Torch7's generator, as Torch7 does.
function L1HingeEmbeddingCriterion:updateGradInput(input, y)
  local ga, gb = self.gradInput[1], self.gradInput[2]
  ga:resizeAs(input[1]):copy(input[1]):add(-1, input[2])
  local dist = ga:norm(1)
  ga:apply(function(v)
    if v > 0 then return 1 end
    if v < 0 then return -1 end
    return 2 * torch.random(2) - 3
  end)
  if y == -1 then
    if dist > self.margin then ga:zero() else ga:mul(-1) end
  end
  gb:resizeAs(input[2]):zero():add(-1, ga)
  return self.gradInput
end

return L1HingeEmbeddingCriterion
