-- nn.PrintSize([prefix]): the identity, printing the size of what passes through it
-- (input on the way forward, gradOutput on the way back).
local torch = require "torch"
local PrintSize, parent = torch.class("nn.PrintSize", "nn.Module")

function PrintSize:__init(prefix)
  parent.__init(self)
  self.prefix = prefix or "PrintSize"
end

local function sizeOf(x)
  if type(x) == "table" and not torch.isTensor(x) then return x end
  if x == nil then return "missing size" end
  return x:size()
end

function PrintSize:updateOutput(input)
  self.output = input
  print(self.prefix .. ":input\n", sizeOf(input))
  return self.output
end

function PrintSize:updateGradInput(input, gradOutput)
  print(self.prefix .. ":gradOutput\n", sizeOf(gradOutput))
  self.gradInput = gradOutput
  return self.gradInput
end

return PrintSize
