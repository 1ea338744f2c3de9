-- Small helpers nngraph's files share (Torch7 keeps them in nngraph.utils too).
local torch = require "torch"
local utils = {}

function utils.istorchclass(x)
  return type(x) == "table" and torch.typename(x)
end

-- a plain Lua table, not an object of a torch class
function utils.istable(x)
  return type(x) == "table" and not torch.typename(x)
end

utils.tableMaxN = table.maxn

-- what went wrong when something other than an nngraph.Node was given as list[index]
function utils.expectingNodeErrorMessage(value, list, index)
  if value == nil then
    return string.format("%s[%d] is nil (typo / bad index?)", list, index)
  end
  if torch.isTypeOf(value, "nn.Module") then
    return string.format("%s[%d] is an nn.Module, specifically a %s, but the only valid thing "
      .. "to pass is an instance of nngraph.Node. Did you forget a second set of parens, "
      .. "which convert a nn.Module to a nngraph.Node?", list, index, torch.typename(value))
  end
  return string.format("%s[%d] should be an nngraph.Node but is of type %s", list, index,
    torch.typename(value) or type(value))
end

-- "[file]:line_" for a debug.getinfo record, the form of nngraph's node labels
function utils.sourceLabel(info)
  return string.format("[%s]:%d_%s", info.short_src, info.currentline, info.name or "")
end

return utils
