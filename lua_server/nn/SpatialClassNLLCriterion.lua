-- nn.SpatialClassNLLCriterion([weights] [, sizeAverage=true]): nn.ClassNLLCriterion at
-- every pixel: input N x C x H x W (or C x H x W) log-probabilities, target N x H x W (or
-- H x W) of 1-based classes; sizeAverage divides by the total weight.
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local call = aten.call
local run = aten.run
local SpatialClassNLLCriterion, parent = torch.class("nn.SpatialClassNLLCriterion", "nn.Criterion")

local SUM = 2
local IGNORE = -100

function SpatialClassNLLCriterion:__init(weights, sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
  if weights then
    assert(weights:dim() == 1, "weights input should be 1-D Tensor")
    self.weights = weights
  end
  self.output_tensor = torch.zeros(1)
  self.total_weight_tensor = torch.ones(1)
  self.target = torch.zeros(1):long()
end

function SpatialClassNLLCriterion:__len()
  return self.weights and self.weights:nElement() or 0
end

local function args(self, input, target)
  self.target = target:long()
  local x, t = input, self.target:contiguous()
  if input:dim() == 3 then
    x = input:view(1, input:size(1), input:size(2), input:size(3))
    t = t:view(1, t:size(1), t:size(2))
  elseif input:dim() ~= 4 then
    error("nn.SpatialClassNLLCriterion: input must be 3D or 4D, got " .. input:dim() .. "D", 3)
  end
  nn.ClassNLLCriterion.checkTargets("nn.SpatialClassNLLCriterion", t, input:size(input:dim() - 2), IGNORE)
  local w = self.weights
  if w and torch.type(w) ~= torch.type(input) then w = w:typeAs(input) end
  return x._h, call("sub.Scalar", t._h, 1, 1), w and w._h or nil
end

function SpatialClassNLLCriterion:updateOutput(input, target)
  local x, t, w = args(self, input, target)
  local out, total = call("nll_loss2d_forward", x, t, w, SUM, IGNORE - 1)
  local loss, totalWeight = call("item", out), call("item", total)
  if self.sizeAverage and totalWeight ~= 0 then loss = loss / totalWeight end
  self.output_tensor = self.output_tensor:typeAs(input)
  self.output_tensor[1] = loss
  self.total_weight_tensor = self.total_weight_tensor:typeAs(input)
  self.total_weight_tensor[1] = totalWeight
  self.output = loss
  return self.output, totalWeight
end

function SpatialClassNLLCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  local x, t, w = args(self, input, target)
  local totalWeight = self.total_weight_tensor[1]
  local scale = (self.sizeAverage and totalWeight ~= 0) and 1 / totalWeight or 1
  local g = call("nll_loss2d_backward", nn.utils.scalarLike(input, scale), x, t, w, SUM, IGNORE - 1,
    nn.utils.scalarLike(input, totalWeight))
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, call("view", g, core.sizes(input)), false)
  return self.gradInput
end

return SpatialClassNLLCriterion
