-- graph.Edge: a directed edge, two fields `from` and `to` (Torch7's names; .t7 files hold them).
local torch = require "torch"
local Edge = torch.class("graph.Edge")

function Edge:__init(from, to)
  self.from = from
  self.to = to
end

return Edge
