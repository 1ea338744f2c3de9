-- nn.VolumetricFractionalMaxPooling(poolSizeT, poolSizeW, poolSizeH, outT, outW, outH) or
-- (poolSizeT, poolSizeW, poolSizeH, ratioT, ratioW, ratioH): fractional max pooling of
-- C×T×H×W or N×C×T×H×W input (see nn.fractional_pooling).
local torch = require "torch"

local VolumetricFractionalMaxPooling, parent = torch.class("nn.VolumetricFractionalMaxPooling", "nn.Module")

require "nn.fractional_pooling"(VolumetricFractionalMaxPooling, parent, { "T", "W", "H" },
  "fractional_max_pool3d", { 3, 2, 1 })

return VolumetricFractionalMaxPooling
