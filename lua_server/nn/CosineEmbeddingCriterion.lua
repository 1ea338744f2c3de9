-- nn.CosineEmbeddingCriterion([margin=0]): for input {x1, x2} and y = +-1 (a number, or a
-- tensor for rows of a batch): 1 - cos(x1, x2) where y = 1 and max(0, cos - margin) where
-- y = -1, averaged over the batch when sizeAverage (true). Norms carry a 1e-12 guard.
local torch = require "torch"
local CosineEmbeddingCriterion, parent = torch.class("nn.CosineEmbeddingCriterion", "nn.Criterion")

local EPSILON = 1e-12

function CosineEmbeddingCriterion:__init(margin)
  parent.__init(self)
  self.margin = margin or 0
  self.gradInput = { torch.Tensor(), torch.Tensor() }
  self.sizeAverage = true
end

local function labels(self, input1, y)
  if type(y) == "number" then
    self._y = self._y or input1.new(1)
    self._y[1] = y
    y = self._y
  end
  return y
end

-- w1 = x1.x2, w22 = 1/(|x1|^2 + eps), w32 = 1/(|x2|^2 + eps), w = sqrt(w22 w32): n x 1
function CosineEmbeddingCriterion:updateOutput(input, y)
  local x1, x2 = input[1], input[2]
  y = labels(self, x1, y)
  if x1:dim() == 1 then
    x1, x2 = x1:view(1, -1), x2:view(1, -1)
  end
  self.w1 = x1:clone():cmul(x2):sum(2)
  self.w22 = x1:clone():cmul(x1):sum(2):add(EPSILON):cinv()
  self.w32 = x2:clone():cmul(x2):sum(2):add(EPSILON):cinv()
  self.w = self.w22:clone():cmul(self.w32):sqrt()
  local cos = self.w1:clone():cmul(self.w):select(2, 1)
  local yv = y:typeAs(cos):contiguous():view(-1)
  local neg, pos = yv:eq(-1), yv:eq(1)
  self._outputs = cos:clone():zero()
  self._outputs:maskedCopy(neg, cos:clone():add(-self.margin):cmax(0):maskedSelect(neg))
  self._outputs:maskedCopy(pos, cos:clone():mul(-1):add(1):maskedSelect(pos))
  self.output = self._outputs:sum()
  if self.sizeAverage then self.output = self.output / y:size(1) end
  return self.output
end

-- dcos/dx1 = w (x2 - w1 w22 x1), dcos/dx2 = w (x1 - w1 w32 x2); zero where the loss is
-- zero, negated where y = 1
function CosineEmbeddingCriterion:updateGradInput(input, y)
  local v1, v2 = input[1], input[2]
  y = labels(self, v1, y)
  local notBatch = false
  if v1:dim() == 1 then
    v1, v2 = v1:view(1, -1), v2:view(1, -1)
    notBatch = true
  end
  self.gradInput[1] = nn.utils.typeLike(self.gradInput[1], v1)
  self.gradInput[2] = nn.utils.typeLike(self.gradInput[2], v1)
  local gw1, gw2 = self.gradInput[1], self.gradInput[2]
  gw1:resizeAs(v1):copy(v2)
  gw2:resizeAs(v1):copy(v1)
  gw1:addcmul(-1, self.w1:clone():cmul(self.w22):expandAs(v1), v1):cmul(self.w:expandAs(v1))
  gw2:addcmul(-1, self.w1:clone():cmul(self.w32):expandAs(v1), v2):cmul(self.w:expandAs(v1))
  local zero = self._outputs:le(0):view(-1, 1):expandAs(gw1)
  gw1:maskedFill(zero, 0)
  gw2:maskedFill(zero, 0)
  local sign = y:typeAs(gw1):contiguous():view(-1, 1):eq(1):typeAs(gw1):mul(-2):add(1)
  gw1:cmul(sign:expandAs(gw1))
  gw2:cmul(sign:expandAs(gw2))
  if self.sizeAverage then
    gw1:div(y:size(1))
    gw2:div(y:size(1))
  end
  if notBatch then
    gw1:resize(gw1:size(2))
    gw2:resize(gw2:size(2))
  end
  return self.gradInput
end

return CosineEmbeddingCriterion
