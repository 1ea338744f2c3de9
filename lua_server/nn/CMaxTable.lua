-- nn.CMaxTable: the element-wise maximum of a table of same-sized tensors. The gradient
-- goes to the input that held the maximum (the first one on ties); maxIdx records it.
local torch = require "torch"
local CMaxTable, parent = torch.class("nn.CMaxTable", "nn.Module")

require "nn.ctable_extremum"(CMaxTable, parent, "gt", "maxIdx")

return CMaxTable
