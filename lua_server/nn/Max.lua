-- nn.Max([dim=1] [, nInputDims]): the largest value along dim, which is dropped (kept for 1-D
-- input). The gradient goes to the position it came from.
local torch = require "torch"
local Max, parent = torch.class("nn.Max", "nn.Module")

require "nn.extremum"(Max, parent, torch.max)

return Max
