-- nn.HardShrink([lambda=0.5]): x where |x| > lambda, else 0.
local torch = require "torch"
local HardShrink, parent = torch.class("nn.HardShrink", "nn.Module")

require "nn.shrink"(HardShrink, parent, "hardshrink")

return HardShrink
