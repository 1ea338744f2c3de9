-- nn.ZipTableOneToMany(): {v, {a, b, c}} -> {{v, a}, {v, b}, {v, c}}. v's gradient is the
-- sum of the gradients of its copies.
local torch = require "torch"
local ZipTableOneToMany, parent = torch.class("nn.ZipTableOneToMany", "nn.Module")

function ZipTableOneToMany:__init()
  parent.__init(self)
  self.output = {}
  self.gradInput = {}
  self.gradInputEl = torch.Tensor()
end

local function check(input)
  if type(input) ~= "table" or #input ~= 2 or type(input[2]) ~= "table" then
    error("nn.ZipTableOneToMany: input must be {element, table}", 3)
  end
end

function ZipTableOneToMany:updateOutput(input)
  check(input)
  self.output = {}
  for i, x in ipairs(input[2]) do self.output[i] = { input[1], x } end
  return self.output
end

function ZipTableOneToMany:updateGradInput(input, gradOutput)
  check(input)
  self.gradInputEl = nn.utils.typeLike(self.gradInputEl, input[1])
  self.gradInputEl:resizeAs(input[1]):zero()
  local gradTable = {}
  for i, g in ipairs(gradOutput) do
    self.gradInputEl:add(g[1])
    gradTable[i] = g[2]
  end
  self.gradInput = { self.gradInputEl, gradTable }
  return self.gradInput
end

return ZipTableOneToMany
