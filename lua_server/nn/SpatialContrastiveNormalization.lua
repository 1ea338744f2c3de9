-- nn.SpatialContrastiveNormalization([nInputPlane=1, kernel=9×9 ones, threshold=1e-4,
-- thresval=1e-4]): SpatialSubtractiveNormalization then SpatialDivisiveNormalization with
-- the same kernel (normalized in place by each in turn, as in Torch7). As in Torch7, the
-- divisive stage is built without thresval, so it replaces small deviations by threshold.
local torch = require "torch"
local L = require "nn.local_mean"

local SpatialContrastiveNormalization, parent = torch.class("nn.SpatialContrastiveNormalization", "nn.Module")

function SpatialContrastiveNormalization:__init(nInputPlane, kernel, threshold, thresval)
  parent.__init(self)
  self.nInputPlane = nInputPlane or 1
  self.kernel = kernel or torch.Tensor(9, 9):fill(1)
  self.threshold = threshold or 1e-4
  self.thresval = thresval or 1e-4
  L.checkKernel("SpatialContrastiveNormalization", self.kernel)
  self.normalizer = nn.Sequential()
  self.normalizer:add(nn.SpatialSubtractiveNormalization(self.nInputPlane, self.kernel))
  self.normalizer:add(nn.SpatialDivisiveNormalization(self.nInputPlane, self.kernel, self.threshold))
end

function SpatialContrastiveNormalization:updateOutput(input)
  self.output = self.normalizer:forward(input)
  return self.output
end

function SpatialContrastiveNormalization:updateGradInput(input, gradOutput)
  self.gradInput = self.normalizer:backward(input, gradOutput)
  return self.gradInput
end

return SpatialContrastiveNormalization
