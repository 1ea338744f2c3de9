-- nn.FlattenTable: a nested table of tensors into a flat table, depth first. The tensors
-- themselves are passed through (no copies); gradInput rebuilds the nesting.
local torch = require "torch"
local type = type
local FlattenTable, parent = torch.class("nn.FlattenTable", "nn.Module")

function FlattenTable:__init()
  parent.__init(self)
  self.output = {}
  self.input_map = {}
  self.gradInput = {}
end

-- appends input's tensors to output; returns input's shape with each tensor replaced by
-- its index in output
local function flatten(output, input)
  if type(input) == "table" then
    local map = {}
    for i = 1, #input do map[#map + 1] = flatten(output, input[i]) end
    return map
  end
  local index = #output + 1
  output[index] = input
  return index
end

-- does output (with input_map) still describe input? then nothing needs rebuilding
local function checkMapping(output, input, input_map)
  if input_map == nil or output == nil or input == nil then return false end
  if type(input) == "table" then
    if type(input_map) ~= "table" or #input ~= #input_map then return false end
    for i = 1, #input do
      if not checkMapping(output, input[i], input_map[i]) then return false end
    end
    return true
  end
  return type(input_map) == "number" and output[input_map] == input
end

local function inverseFlatten(gradOutput, input_map)
  if type(input_map) == "table" then
    local gradInput = {}
    for i = 1, #input_map do gradInput[#gradInput + 1] = inverseFlatten(gradOutput, input_map[i]) end
    return gradInput
  end
  return gradOutput[input_map]
end

function FlattenTable:updateOutput(input)
  assert(type(input) == "table", "input must be a table")
  if not checkMapping(self.output, input, self.input_map) then
    self.output = {}
    self.input_map = flatten(self.output, input)
  end
  return self.output
end

function FlattenTable:updateGradInput(input, gradOutput)
  assert(type(input) == "table", "input must be a table")
  assert(type(gradOutput) == "table", "gradOutput must be a table")
  if not checkMapping(gradOutput, self.gradInput, self.input_map) then
    self.gradInput = inverseFlatten(gradOutput, self.input_map)
  end
  return self.gradInput
end

-- only references are held: nothing to convert
function FlattenTable:type(type, tensorCache)
  self:clearState()
  return self
end

function FlattenTable:clearState()
  self.input_map = {}
  return parent.clearState(self)
end

return FlattenTable
