-- nngraph.nest(structure): one node standing for a nested list of nodes, e.g.
-- nngraph.nest({in1, {in2}, in3}) outputs {x1, {x2}, x3}.
local torch = require "torch"

local function isNode(x)
  return torch.typename(x) == "nngraph.Node"
end

local function nest(structure)
  if isNode(structure) then return structure end
  if type(structure) ~= "table" or #structure == 0 then
    error("what is this in the nest input? " .. tostring(structure), 3)
  end
  if #structure == 1 then return nngraph.JustTable()(structure) end
  local wrapped = {}
  for i, child in ipairs(structure) do wrapped[i] = nest(child) end
  return nn.Identity()(wrapped)
end

function nngraph.nest(...)
  if select("#", ...) > 1 then error("Use {input1, input2} to pass multiple inputs.", 2) end
  local structure = (select(1, ...))
  if structure == nil then error("nngraph.nest: Pass an input.", 2) end
  return nest(structure)
end
