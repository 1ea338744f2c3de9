-- nn.SoftShrink([lambda=0.5]): x - lambda above lambda, x + lambda below -lambda, else 0.
local torch = require "torch"
local SoftShrink, parent = torch.class("nn.SoftShrink", "nn.Module")

require "nn.shrink"(SoftShrink, parent, "softshrink")

return SoftShrink
