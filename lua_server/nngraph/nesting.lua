-- Tensors or nested tables of tensors, handled alike: nngraph sums the gradients that reach
-- a node from several consumers, and a node's output may be a table.
local torch = require "torch"
local isTensor = torch.isTensor
local nesting = {}

function nesting.cloneNested(obj)
  if isTensor(obj) then return obj:clone() end
  local copy = {}
  for k, v in pairs(obj) do copy[k] = nesting.cloneNested(v) end
  return copy
end

function nesting.fillNested(obj, value)
  if isTensor(obj) then obj:fill(value); return end
  for _, v in pairs(obj) do nesting.fillNested(v, value) end
end

-- output takes input's shape: tensors resized, missing entries cloned, extra ones dropped
function nesting.resizeNestedAs(output, input)
  if isTensor(output) then output:resizeAs(input); return end
  for k, v in pairs(input) do
    if output[k] == nil then output[k] = nesting.cloneNested(v)
    else nesting.resizeNestedAs(output[k], v) end
  end
  for k in pairs(output) do
    if input[k] == nil then output[k] = nil end
  end
end

function nesting.copyNested(output, input)
  if isTensor(output) then output:copy(input); return end
  for k, v in pairs(input) do nesting.copyNested(output[k], v) end
  for k in pairs(output) do
    if input[k] == nil then error("key " .. tostring(k) .. " present in output but not in input", 2) end
  end
end

function nesting.addNestedTo(output, input)
  if isTensor(output) then output:add(input); return end
  for k, v in pairs(input) do
    if output[k] == nil then error("missing key " .. tostring(k) .. " in the sum", 2) end
    nesting.addNestedTo(output[k], v)
  end
end

return nesting
