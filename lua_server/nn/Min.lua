-- nn.Min([dim=1] [, nInputDims]): the smallest value along dim, which is dropped (kept for 1-D
-- input). The gradient goes to the position it came from.
local torch = require "torch"
local Min, parent = torch.class("nn.Min", "nn.Module")

require "nn.extremum"(Min, parent, torch.min)

return Min
