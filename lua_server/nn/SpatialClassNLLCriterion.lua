-- nn.SpatialClassNLLCriterion([weights] [, sizeAverage=true]): nn.ClassNLLCriterion at
-- every pixel: input N x C x H x W (or C x H x W) log-probabilities, target N x H x W (or
-- H x W) of 1-based classes; sizeAverage divides by the total weight.
local torch = require "torch"
local aten = require "aten"
local NLL = require "nn.nll"
local call = aten.call
local SpatialClassNLLCriterion, parent = torch.class("nn.SpatialClassNLLCriterion", "nn.Criterion")

local IGNORE = -100

function SpatialClassNLLCriterion:__init(weights, sizeAverage)
  parent.__init(self)
  NLL.init(self, weights, sizeAverage)
end

NLL.install_len(SpatialClassNLLCriterion)

-- (input as N x C x H x W, 0-based target handle, weights or nil)
local function args(self, input, target)
  self.target = target:long()
  local x, t = input, self.target:contiguous()
  if input:dim() == 3 then
    x = input:view(1, input:size(1), input:size(2), input:size(3))
    t = t:view(1, t:size(1), t:size(2))
  elseif input:dim() ~= 4 then
    error("nn.SpatialClassNLLCriterion: input must be 3D or 4D, got " .. input:dim() .. "D", 3)
  end
  NLL.check_targets("nn.SpatialClassNLLCriterion", t, input:size(input:dim() - 2), IGNORE)
  return x, call("sub.Scalar", t._h, 1, 1), NLL.weights(self, input)
end

function SpatialClassNLLCriterion:updateOutput(input, target)
  local x, t, w = args(self, input, target)
  return NLL.forward(self, input, "nll_loss2d_forward", x, t, w, IGNORE)
end

function SpatialClassNLLCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  local x, t, w = args(self, input, target)
  return NLL.backward(self, input, "nll_loss2d_backward", x, t, w, IGNORE)
end

return SpatialClassNLLCriterion
