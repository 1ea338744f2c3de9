-- nn.MultiLabelMarginCriterion: the multi-label hinge loss. The target holds 1-based class
-- indices, ended by the first 0: sum over target classes j and other classes i of
-- max(0, 1 - (x[j] - x[i])) / nClasses, averaged over the batch when sizeAverage (true).
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local call = aten.call
local run = aten.run
local MultiLabelMarginCriterion, parent = torch.class("nn.MultiLabelMarginCriterion", "nn.Criterion")

local MEAN, SUM = 1, 2

function MultiLabelMarginCriterion:__init()
  parent.__init(self)
  self.sizeAverage = true
  self.isTarget = torch.Tensor()
end

local function args(self, input, target)
  if input:dim() ~= 1 and input:dim() ~= 2 then
    error("nn.MultiLabelMarginCriterion: input must be a vector or a matrix", 3)
  end
  -- 1-based with 0 as the end marker becomes ATen's 0-based with -1
  local t = call("sub.Scalar", target:long():contiguous()._h, 1, 1)
  return t, self.sizeAverage and MEAN or SUM
end

function MultiLabelMarginCriterion:updateOutput(input, target)
  local t, r = args(self, input, target)
  local out, isTarget = call("multilabel_margin_loss_forward", input._h, t, r)
  self.output = call("item", out)
  self.isTarget = core.wrap(isTarget)
  return self.output
end

function MultiLabelMarginCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  local t, r = args(self, input, target)
  if self.isTarget:nElement() ~= input:nElement() then self:updateOutput(input, target) end
  local g = call("multilabel_margin_loss_backward", nn.utils.scalarLike(input, 1), input._h, t, r,
    self.isTarget:typeAs(input)._h)
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, g, false)
  return self.gradInput
end

return MultiLabelMarginCriterion
