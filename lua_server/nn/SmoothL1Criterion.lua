-- nn.SmoothL1Criterion([sizeAverage=true]): sum of 0.5 d^2 where |d| < 1 and |d| - 0.5
-- elsewhere (d = x - y), divided by the element count when sizeAverage.
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local SmoothL1Criterion, parent = torch.class("nn.SmoothL1Criterion", "nn.Criterion")

local MEAN, SUM = 1, 2

function SmoothL1Criterion:__init(sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
end

local function reduction(self) return self.sizeAverage and MEAN or SUM end

function SmoothL1Criterion:updateOutput(input, target)
  target = nn.utils.targetLike("nn.SmoothL1Criterion", input, target)
  self.output = call("item", call("smooth_l1_loss", input._h, target._h, reduction(self), 1.0))
  return self.output
end

function SmoothL1Criterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  target = nn.utils.targetLike("nn.SmoothL1Criterion", input, target)
  local g = call("smooth_l1_loss_backward", nn.utils.scalarLike(input, 1), input._h, target._h,
    reduction(self), 1.0)
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, g, false)
  return self.gradInput
end

return SmoothL1Criterion
