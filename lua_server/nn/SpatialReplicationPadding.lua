-- nn.SpatialReplicationPadding(pad_l [, pad_r=pad_l, pad_t=pad_l, pad_b=pad_l]): pads the last two
-- dimensions of C×H×W or N×C×H×W input; repeats the border pixels.
local torch = require "torch"
local SpatialReplicationPadding, parent = torch.class("nn.SpatialReplicationPadding", "nn.Module")

require "nn.padding2d"(SpatialReplicationPadding, parent, "replication_pad2d")

return SpatialReplicationPadding
