-- nn.Sigmoid: y = 1 / (1 + exp(-x)); dx = dy * (1 - y) * y.
local torch = require "torch"
local aten = require "aten"
local Sigmoid = torch.class("nn.Sigmoid", "nn.Module")

function Sigmoid:updateOutput(input)
  self.output:sigmoid(input)
  return self.output
end

function Sigmoid:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(self.output)
  aten.run("sigmoid_backward.grad_input", gradOutput._h, self.output._h, self.gradInput._h)
  return self.gradInput
end

return Sigmoid
