-- nngraph.Node: a graph.Node whose data table holds a module (or a split/select step) and
-- the bookkeeping nngraph needs, under Torch7's field names (.t7 models hold them):
--   data.module, data.mapindex (inputs in order: list of input data and data -> position),
--   data.reverseMap (nodes built on this one), data.annotations (_debugLabel, name, ...),
--   data.input / data.gradOutput (run-time), data.nSplitOutputs, data.selectindex.
local torch = require "torch"
local utils = require "nngraph.utils"

local Node, parent = torch.class("nngraph.Node", "graph.Node")

-- Stack level of the code that built the node, seen from __init: the constructor and its
-- call, Module.__call__ and the instance call sit between (the same count as in Torch7).
local CALLER_LEVEL = 6

function Node:__init(data)
  parent.__init(self, data)
  data.annotations = data.annotations or {}
  data.mapindex = data.mapindex or {}
  data.reverseMap = data.reverseMap or {}
  if not data.annotations._debugLabel then
    local info = debug.getinfo(CALLER_LEVEL, "Sl")
    if info then data.annotations._debugLabel = utils.sourceLabel(info) end
  end
end

-- add(input, true) records input as this node's next input (domap), so data.mapindex keeps
-- the order in which a module receives its inputs
function Node:add(child, domap)
  parent.add(self, child)
  if not domap then return end
  local mapindex, data = self.data.mapindex, child.data
  if mapindex[data] then error("Don't pass the same input twice.", 2) end
  mapindex[#mapindex + 1] = data
  mapindex[data] = #mapindex
  local consumers = data.reverseMap
  if consumers[self] then error("this connection has already been made!", 2) end
  consumers[self] = true
end

-- noutput nodes, each carrying one element of this node's (table) output, in order
function Node:split(noutput)
  if noutput == 1 then return nngraph.JustElement()(self) end
  if type(noutput) ~= "number" or noutput < 1 then
    error("split: a number of outputs >= 1 expected, got " .. tostring(noutput), 2)
  end
  local label = self.data.annotations._debugLabel or ""
  local at = debug.getinfo(2, "Sl")
  local splitLabel = label .. string.format(" split at [%s]:%d", at.short_src, at.currentline)
  local splitter = nngraph.Node({ nSplitOutputs = noutput,
    annotations = { _debugLabel = splitLabel .. "-mnode" } })
  splitter:add(self, true)
  local selectors = {}
  for i = 1, noutput do
    local node = nngraph.Node({ selectindex = i, input = {},
      annotations = { _debugLabel = label .. "-" .. i } })
    node:add(splitter, true)
    selectors[i] = node
  end
  return unpack(selectors)
end

function Node:annotate(annotations)
  for k, v in pairs(annotations) do self.data.annotations[k] = v end
  return self
end

function Node:graphNodeName()
  local name = self.data.annotations.name
  if name then return name .. " (" .. self.id .. ")" end
  return "Node" .. self.id
end

-- graphviz attributes; the tooltip says where the node was declared
function Node:graphNodeAttributes()
  local annotations = self.data.annotations
  annotations.graphAttributes = annotations.graphAttributes or {}
  local attributes = annotations.graphAttributes
  attributes.tooltip = attributes.tooltip or annotations._debugLabel
  return attributes
end

local function nanFlag(t)
  if t:nElement() == 0 then return "" end
  if t:ne(t):sum() > 0 then return "NaN" end
  if t:max() == math.huge then return "inf" end
  if t:min() == -math.huge then return "-inf" end
  return ""
end

local function describe(value)
  if not value then return "" end
  if torch.isTensor(value) then
    local kind = value:type() == torch.Tensor():type() and "Tensor" or value:type()
    return kind .. "[" .. table.concat(value:size():totable(), "x") .. "]" .. nanFlag(value)
  end
  if utils.istable(value) then
    local parts = {}
    for i, v in ipairs(value) do parts[i] = describe(v) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return (tostring(value):gsub("\n", "\\l"))
end

-- the node's fields for a dot label: "key = value" lines (dot's \l line breaks)
function Node:label()
  local lines = {}
  for k, v in pairs(self.data) do
    if k == "mapindex" then
      if #v > 1 then
        local inputs = {}
        for i, data in ipairs(v) do inputs[i] = "Node" .. (data.forwardNodeId or "") end
        lines[#lines + 1] = k .. " = {" .. table.concat(inputs, ",") .. "}"
      end
    elseif k ~= "forwardNodeId" and k ~= "annotations" then
      lines[#lines + 1] = k .. " = " .. describe(v)
    end
  end
  local description = self.data.annotations.description
  local prefix = description and ("desc = " .. description .. "\\n") or ""
  return prefix .. table.concat(lines, "\\l")
end

return Node
