-- Looking into graphs: naming nodes after the local variables that hold them, drawing a
-- failing gModule with the failed node in red (nngraph.setDebug), and showing a gModule.
local torch = require "torch"

-- the forward graph's dot text, with the node sharing failedNode's data filled red
local function dotWithFailure(g, title, failedNode)
  local text = g:todot(title)
  if not failedNode then return text end
  for _, node in ipairs(g.nodes) do
    if node.data == failedNode.data then
      return (text:gsub("}%s*$", "")) .. string.format("n%s[style=filled, fillcolor=red];\n}", node.id)
    end
  end
  return text
end

local function fileExists(name)
  local f = io.open(name, "r")
  if f then f:close() end
  return f ~= nil
end

-- writes <name>.dot (and <name>.svg when graphviz is installed) for a gModule that failed
local function saveFailure(gmodule, failedNode)
  local nInputs = gmodule.nInputs or #gmodule.innode.children
  local prefix = gmodule.name or string.format("nngraph_%sin_%sout", nInputs, #gmodule.outnode.children)
  if fileExists(prefix .. ".dot") then prefix = prefix .. "_" .. os.tmpname():match("[^/]*$") end
  io.stderr:write(string.format("saving %s.svg\n", prefix))
  local f = io.open(prefix .. ".dot", "w")
  if not f then return end
  f:write(dotWithFailure(gmodule.fg, prefix, failedNode))
  f:close()
  if graph.haveGraphviz() then
    os.execute(string.format("dot -Tsvg -o '%s.svg' '%s.dot' 2>/dev/null", prefix, prefix))
  end
end

-- with debug on, a gModule whose node fails saves a picture of its graph, failed node in red
function nngraph.setDebug(enable)
  nngraph._onNodeError = enable and saveFailure or nil
end

-- gives every nngraph.Node held in a local variable of the calling function (or of the
-- function stackLevel levels up) that variable's name, unless it already has a name
function nngraph.annotateNodes(stackLevel)
  stackLevel = (stackLevel or 1) + 1
  for index = 1, math.huge do
    local name, value = debug.getlocal(stackLevel, index)
    if not name then break end
    if torch.typename(value) == "nngraph.Node" and not value.data.annotations.name then
      value:annotate({ name = name })
    end
  end
end

-- draws the gModule's forward graph into a temporary svg and opens it with the desktop viewer
function nngraph.display(gmodule)
  local fname = os.tmpname()
  local _, svg = graph.dot(gmodule.fg, fname, fname)
  if not svg then error("nngraph.display needs graphviz's `dot` program; see " .. fname .. ".dot", 2) end
  local opener = jit and jit.os == "OSX" and "open -a Safari" or "xdg-open"
  os.execute(opener .. " " .. svg)
end
