-- Drawing graphs: graph.dot writes the dot text (and, when graphviz's `dot` program is on
-- PATH, an svg picture); graphvizFile and graphvizLayout need the program. Torch7 called
-- libgvc through the FFI; running the program gives the same pictures without linking it.
local torch = require "torch"

local function shellQuote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function succeeded(status)
  return status == 0 or status == true
end

local function haveDot()
  return succeeded(os.execute("command -v dot >/dev/null 2>&1"))
end
graph.haveGraphviz = haveDot

local function writeFile(fname, text)
  local f, err = io.open(fname, "w")
  if not f then error("graph: cannot write " .. fname .. ": " .. tostring(err), 3) end
  f:write(text)
  f:close()
end

local function requireDot(level)
  if not haveDot() then
    error("graphviz could not be loaded: no `dot` program on PATH (install graphviz)", level + 1)
  end
end

-- runs `dot -K<algorithm> -T<format>` on g's dot text; returns the output file's name
local function render(g, algorithm, format, outname)
  local source = os.tmpname()
  writeFile(source, g:todot())
  local cmd = string.format("dot -K%s -T%s -o %s %s 2>/dev/null", algorithm, format,
    shellQuote(outname), shellQuote(source))
  local status = os.execute(cmd)
  os.remove(source)
  if not succeeded(status) then error("graphviz render failed: " .. cmd, 3) end
end

-- render g into fname, in the format named by its extension (svg, png, pdf, dot, ...)
function graph.graphvizFile(g, algorithm, fname)
  requireDot(2)
  local format = type(fname) == "string" and fname:match("%.(%w+)$")
  if not format then error("graph.graphvizFile: file name with an extension expected", 2) end
  render(g, algorithm or "dot", format, fname)
end

-- positions of the nodes laid out by graphviz, a (#nodes x 2) tensor in [0, 1], row = node id
function graph.graphvizLayout(g, algorithm)
  requireDot(2)
  local plain = os.tmpname()
  render(g, algorithm or "dot", "plain", plain)
  local positions = torch.zeros(#g.nodes, 2)
  local width, height = 1, 1
  for line in io.lines(plain) do
    local w, h = line:match("^graph %S+ (%S+) (%S+)")
    if w then width, height = tonumber(w), tonumber(h) end
    local id, x, y = line:match("^node n(%d+) (%S+) (%S+)")
    if id then
      positions[tonumber(id)][1] = tonumber(x) / width
      positions[tonumber(id)][2] = tonumber(y) / height
    end
  end
  os.remove(plain)
  return positions
end

-- writes fname.dot and, when graphviz is installed, fname.svg; returns the names written.
-- With graphviz, fname.dot is its laid-out dot output, as Torch7 saved; without, the same
-- text without positions. Torch7 opened a Qt window when fname was nil; we need a name.
function graph.dot(g, title, fname)
  if type(fname) ~= "string" then
    error("graph.dot: a file name (without extension) is needed; there is no Qt display", 2)
  end
  local text = graph._canonicalDot(g, title)
  if not haveDot() then
    writeFile(fname .. ".dot", text)
    return fname .. ".dot"
  end
  local source = os.tmpname()
  writeFile(source, text)
  for _, format in ipairs({ "svg", "dot" }) do
    local status = os.execute(string.format("dot -T%s -o %s %s 2>/dev/null", format,
      shellQuote(fname .. "." .. format), shellQuote(source)))
    if not succeeded(status) then
      os.remove(source)
      error("graphviz render failed for " .. fname .. "." .. format, 2)
    end
  end
  os.remove(source)
  return fname .. ".dot", fname .. ".svg"
end
