-- nn.BCECriterion([weights] [, sizeAverage=true]): -sum w (y log x + (1 - y) log(1 - x)),
-- divided by the element count when sizeAverage. weights (1-D) weigh the columns of a
-- 2-D input.
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local BCECriterion, parent = torch.class("nn.BCECriterion", "nn.Criterion")

local MEAN, SUM = 1, 2

function BCECriterion:__init(weights, sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
  if weights ~= nil then
    assert(weights:dim() == 1, "weights input should be 1-D Tensor")
    self.weights = weights
  end
end

function BCECriterion:__len()
  return self.weights and self.weights:nElement() or 0
end

-- (target in input's shape, weight handle or nil)
local function args(self, input, target)
  assert(input:nElement() == target:nElement(), "input and target size mismatch")
  target = nn.utils.targetLike("nn.BCECriterion", input, target)
  local w = self.weights
  if w ~= nil then
    if target:dim() ~= 1 then w = w:view(1, target:size(2)):expandAs(target) end
    if torch.type(w) ~= torch.type(input) then w = w:typeAs(input) end
    w = w:contiguous()
  end
  return target, w and w._h or nil
end

function BCECriterion:updateOutput(input, target)
  local t, w = args(self, input, target)
  local reduction = self.sizeAverage and MEAN or SUM
  self.output = call("item", call("binary_cross_entropy", input._h, t._h, w, reduction))
  return self.output
end

function BCECriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  local t, w = args(self, input, target)
  local reduction = self.sizeAverage and MEAN or SUM
  local g = call("binary_cross_entropy_backward", nn.utils.scalarLike(input, 1), input._h, t._h, w,
    reduction)
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, g, false)
  return self.gradInput
end

return BCECriterion
