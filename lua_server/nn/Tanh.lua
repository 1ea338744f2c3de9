-- nn.Tanh: y = tanh(x); dx = dy * (1 - y^2).
local torch = require "torch"
local aten = require "aten"
local one_thread = require "torch.one_thread"
local Tanh = torch.class("nn.Tanh", "nn.Module")

-- below ATen's grain size the kernel runs on one thread (see torch/one_thread.lua)
local SMALL = 32768
local function tanh_into(output, input) output:tanh(input) end

function Tanh:updateOutput(input)
  one_thread.run(input:nElement(), SMALL, tanh_into, self.output, input)
  return self.output
end

function Tanh:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(self.output)
  aten.run("tanh_backward.grad_input", gradOutput._h, self.output._h, self.gradInput._h)
  return self.gradInput
end

return Tanh
