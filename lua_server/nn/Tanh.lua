-- nn.Tanh: y = tanh(x); dx = dy * (1 - y^2).
local torch = require "torch"
local aten = require "aten"
local Tanh = torch.class("nn.Tanh", "nn.Module")

function Tanh:updateOutput(input)
  self.output:tanh(input)
  return self.output
end

function Tanh:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(self.output)
  aten.run("tanh_backward.grad_input", gradOutput._h, self.output._h, self.gradInput._h)
  return self.gradInput
end

return Tanh
