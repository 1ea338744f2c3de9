-- nn.SpatialBatchNormalization(nFeature [, eps=1e-5, momentum=0.1, affine=true]):
-- BatchNormalization of N×nFeature×H×W input, each feature normalized over the batch and
-- all its pixels (C×H×W input is accepted in evaluation mode).
local torch = require "torch"
require "nn.BatchNormalization"
local BN = torch.class("nn.SpatialBatchNormalization", "nn.BatchNormalization")

BN.__version = 2

-- expected dimension of input
BN.nDim = 4

return BN
