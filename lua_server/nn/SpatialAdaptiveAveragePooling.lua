-- nn.SpatialAdaptiveAveragePooling(W, H): average pooling to a fixed W×H output whatever
-- the input size; output cell (i, j) covers input rows floor(i·iH/H) .. ceil((i+1)·iH/H) − 1
-- (and the same for columns).
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local SpatialAdaptiveAveragePooling, parent = torch.class("nn.SpatialAdaptiveAveragePooling", "nn.Module")

function SpatialAdaptiveAveragePooling:__init(W, H)
  parent.__init(self)
  self.W = W
  self.H = H
end

function SpatialAdaptiveAveragePooling:updateOutput(input)
  nn.utils.checkType(self, input, self.output)
  K.check_dims(self, input, 4)
  K.take(self.output, call("_adaptive_avg_pool2d", input._h, { self.H, self.W }))
  return self.output
end

function SpatialAdaptiveAveragePooling:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  K.check_dims(self, input, 4)
  K.take(self.gradInput, call("_adaptive_avg_pool2d_backward", gradOutput._h, input._h))
  return self.gradInput
end

return SpatialAdaptiveAveragePooling
