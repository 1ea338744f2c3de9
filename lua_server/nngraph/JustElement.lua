-- nngraph.JustElement: {x} -> x (what node:split(1) builds).
local torch = require "torch"
local JustElement = torch.class("nngraph.JustElement", "nn.Module")

function JustElement:__init()
  self.gradInput = {}
end

function JustElement:updateOutput(input)
  if #input ~= 1 then error("nngraph.JustElement: expecting a table of one element, got " .. #input, 2) end
  self.output = input[1]
  return self.output
end

function JustElement:updateGradInput(input, gradOutput)
  self.gradInput[1] = gradOutput
  return self.gradInput
end

return JustElement
