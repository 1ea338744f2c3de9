-- require 'graph': Torch7's graph package (directed graphs of nodes holding data), which
-- nngraph builds on. Only the load order; one class per file.
require "torch"
graph = graph or {}  -- luacheck: ignore (Torch7 code expects the global)

require "graph.Node"
require "graph.Edge"
require "graph.Graph"
require "graph.graphviz"

return graph
