-- nn.CMinTable: the element-wise minimum of a table of same-sized tensors. The gradient
-- goes to the input that held the minimum (the first one on ties); minIdx records it.
local torch = require "torch"
local CMinTable, parent = torch.class("nn.CMinTable", "nn.Module")

require "nn.ctable_extremum"(CMinTable, parent, "lt", "minIdx")

return CMinTable
