-- nn.VolumetricBatchNormalization(nFeature [, eps=1e-5, momentum=0.1, affine=true]):
-- BatchNormalization over N×C×T×H×W input, one mean and variance per feature C.
local torch = require "torch"

local VolumetricBatchNormalization = torch.class("nn.VolumetricBatchNormalization", "nn.BatchNormalization")

-- expected dimension of input
VolumetricBatchNormalization.nDim = 5

return VolumetricBatchNormalization
