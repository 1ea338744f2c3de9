-- nngraph.simple_print: a gModule's graph as dot text showing only the nodes that run a
-- module other than nn.Identity; two shown nodes are joined when a path through hidden
-- nodes joined them.
local torch = require "torch"
local M = {}

local function shown(node)
  local module = node.data and node.data.module
  return module ~= nil and torch.typename(module) ~= "nn.Identity"
end

-- the shown nodes reachable from node's children through hidden nodes only, in order
local function shownSuccessors(node)
  local found, seen = {}, {}
  local function walk(n)
    for _, child in ipairs(n.children) do
      if not seen[child] then
        seen[child] = true
        if shown(child) then found[#found + 1] = child else walk(child) end
      end
    end
  end
  walk(node)
  return found
end

function M.todot(g, title)
  local out = { "digraph G {\n" }
  if title then out[#out + 1] = 'labelloc="t";\nlabel="' .. title .. '";\n' end
  out[#out + 1] = "node [shape = oval]; "
  local edges = {}
  for _, node in ipairs(g.nodes) do
    if shown(node) then
      out[#out + 1] = "\nn" .. node.id .. '[label="Node' .. node.id .. "\\n" .. node:label() .. '"];'
      for _, successor in ipairs(shownSuccessors(node)) do
        edges[#edges + 1] = "n" .. node.id .. " -> n" .. successor.id .. ";\n"
      end
    end
  end
  out[#out + 1] = "\n"
  out[#out + 1] = table.concat(edges)
  out[#out + 1] = "}"
  return table.concat(out)
end

-- writes fname.dot (and fname.svg when graphviz is installed)
function M.dot(g, title, fname)
  if type(fname) ~= "string" then
    error("nngraph.simple_print.dot: a file name (without extension) is needed; there is no Qt display", 2)
  end
  local f, err = io.open(fname .. ".dot", "w")
  if not f then error("nngraph.simple_print.dot: cannot write " .. fname .. ".dot: " .. tostring(err), 2) end
  f:write(M.todot(g, title))
  f:close()
  if graph.haveGraphviz() then
    os.execute(string.format("dot -Tsvg -o '%s.svg' '%s.dot' 2>/dev/null", fname, fname))
  end
end

return M
