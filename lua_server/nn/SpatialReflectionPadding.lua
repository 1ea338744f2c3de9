-- nn.SpatialReflectionPadding(pad_l [, pad_r=pad_l, pad_t=pad_l, pad_b=pad_l]): pads the last two
-- dimensions of C×H×W or N×C×H×W input; mirrors the input at its borders (the border pixel itself is not repeated; each
-- amount must be smaller than the input size).
local torch = require "torch"
local SpatialReflectionPadding, parent = torch.class("nn.SpatialReflectionPadding", "nn.Module")

require "nn.padding2d"(SpatialReflectionPadding, parent, "reflection_pad2d")

return SpatialReflectionPadding
