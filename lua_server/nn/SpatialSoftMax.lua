-- nn.SpatialSoftMax: a softmax over the planes at every position (C of C x H x W or
-- N x C x H x W input), the same normalization as nn.SoftMax.
local torch = require "torch"
require "nn.SoftMax"
local SpatialSoftMax, parent = torch.class("nn.SpatialSoftMax", "nn.Module")

SpatialSoftMax.updateOutput = nn.SoftMax.updateOutput
SpatialSoftMax.updateGradInput = nn.SoftMax.updateGradInput

return SpatialSoftMax
