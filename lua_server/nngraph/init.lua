-- require 'nngraph': graphs of nn modules. Calling a module on nodes builds a node:
--   local x = nn.Identity()(); local h = nn.Tanh()(nn.Linear(2, 3)(x))
--   local net = nn.gModule({x}, {h})
require "nn"
require "graph"
nngraph = nngraph or {}  -- luacheck: ignore (Torch7 code expects the global)

local utils = require "nngraph.utils"
require "nngraph.nest"
require "nngraph.Node"
require "nngraph.gModule"
require "nngraph.graphinspecting"
require "nngraph.JustElement"
require "nngraph.JustTable"
require "nngraph.ModuleFromCriterion"
nngraph.simple_print = require "nngraph.simple_print"

-- module(node) or module({node1, node2}) or module(): a node running this module on those
-- inputs. As in Torch7, loading nngraph replaces nn's module-call-as-forward.
-- errors blame the code that called the module: past __call__ and the instance call
local CALLER = 3
local Module = torch.getmetatable("nn.Module")
function Module:__call__(...)
  local nArgs = select("#", ...)
  if nArgs > 1 then error("Use {input1, input2} to pass multiple inputs.", CALLER) end
  local input = (select(1, ...))
  if nArgs == 1 and input == nil then error(utils.expectingNodeErrorMessage(input, "inputs", 1), CALLER) end
  if type(input) == "table" and next(input) == nil then
    error("cannot pass an empty table of inputs. To indicate no incoming connections, "
      .. "leave the second set of parens blank.", CALLER)
  end
  if not utils.istable(input) then input = { input } end
  local node = nngraph.Node({ module = self })
  for i = 1, utils.tableMaxN(input) do
    if torch.typename(input[i]) ~= "nngraph.Node" then
      error(utils.expectingNodeErrorMessage(input[i], "inputs", i), CALLER)
    end
    node:add(input[i], true)
  end
  return node
end

local Criterion = torch.getmetatable("nn.Criterion")
function Criterion:__call__(...)
  local node = nn.ModuleFromCriterion(self)(...)
  -- label it with the caller of this call, not with this function
  node.data.annotations._debugLabel = utils.sourceLabel(debug.getinfo(3, "Sl"))
  return node
end

return nngraph
