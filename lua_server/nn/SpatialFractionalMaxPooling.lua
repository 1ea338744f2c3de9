-- nn.SpatialFractionalMaxPooling(poolSizeW, poolSizeH, outW, outH) or
-- (poolSizeW, poolSizeH, ratioW, ratioH) with ratios in (0, 1): fractional max pooling of
-- C×H×W or N×C×H×W input to a fixed size or to floor(ratio · size) (see nn.fractional_pooling).
local torch = require "torch"

local SpatialFractionalMaxPooling, parent = torch.class("nn.SpatialFractionalMaxPooling", "nn.Module")

require "nn.fractional_pooling"(SpatialFractionalMaxPooling, parent, { "W", "H" }, "fractional_max_pool2d",
  { 1, 2 })

return SpatialFractionalMaxPooling
