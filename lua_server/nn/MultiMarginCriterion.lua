-- nn.MultiMarginCriterion([p=1] [, weights] [, margin=1]): the multi-class hinge loss
-- sum_{i ~= y} w[y] max(0, margin - x[y] + x[i])^p / nClasses per sample (1-based target y,
-- a number for 1-D input or a tensor for a batch), averaged over the batch when
-- sizeAverage (true).
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local call = aten.call
local run = aten.run
local MultiMarginCriterion, parent = torch.class("nn.MultiMarginCriterion", "nn.Criterion")

local MEAN, SUM = 1, 2

function MultiMarginCriterion:__init(p, weights, margin)
  assert(p == nil or p == 1 or p == 2, "only p=1 and p=2 supported")
  self.p = p or 1
  self.margin = margin or 1.0
  parent.__init(self)
  self.sizeAverage = true
  if weights then
    assert(weights:dim() == 1, "weights input should be 1-D Tensor")
    self.weights = weights
  end
end

-- (input handle, 0-based target handle, weight handle or nil, reduction)
local function args(self, input, target)
  if type(target) == "number" then
    self._target = self._target or torch.LongTensor(1)
    self._target[1] = target
    target = self._target
  end
  local t = call("sub.Scalar", target:long():contiguous():view(-1)._h, 1, 1)
  local x = input
  if input:dim() == 1 then
    x = input:view(1, input:size(1))
  end
  local w = self.weights
  if w and torch.type(w) ~= torch.type(input) then w = w:typeAs(input) end
  return x._h, t, w and w._h or nil, self.sizeAverage and MEAN or SUM
end

function MultiMarginCriterion:updateOutput(input, target)
  local x, t, w, r = args(self, input, target)
  self.output = call("item", call("multi_margin_loss", x, t, self.p, self.margin, w, r))
  return self.output
end

function MultiMarginCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  local x, t, w, r = args(self, input, target)
  local g = call("multi_margin_loss_backward", nn.utils.scalarLike(input, 1), x, t, self.p,
    self.margin, w, r)
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, call("view", g, core.sizes(input)), false)
  return self.gradInput
end

return MultiMarginCriterion
