-- nn.LeakyReLU([negval=0.01] [, inplace=false]): x for x > 0, negval * x otherwise. A
-- negative negval turns in-place off (the output no longer tells the input's sign).
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local LeakyReLU, parent = torch.class("nn.LeakyReLU", "nn.Module")

function LeakyReLU:__init(negval, ip)
  parent.__init(self)
  if type(negval) == "boolean" then
    -- Torch7 takes LeakyReLU(true) as the default slope and, oddly, not in place
    self.negval = 1 / 100
  else
    self.negval = negval or (1 / 100)
  end
  self.inplace = ip or false
  if self.negval < 0 then self.inplace = false end
end

function LeakyReLU:updateOutput(input)
  if self.inplace then
    run("leaky_relu_", input._h, self.negval)
    self.output:set(input)
  else
    self.output:resizeAs(input)
    run("leaky_relu.out", input._h, self.negval, self.output._h)
  end
  return self.output
end

function LeakyReLU:updateGradInput(input, gradOutput)
  if self.inplace then
    run("leaky_relu_backward.grad_input", gradOutput._h, input._h, self.negval, false, gradOutput._h)
    self.gradInput:set(gradOutput)
  else
    self.gradInput:resizeAs(input)
    run("leaky_relu_backward.grad_input", gradOutput._h, input._h, self.negval, false, self.gradInput._h)
  end
  return self.gradInput
end

function LeakyReLU:__tostring__()
  return torch.type(self) .. string.format("(%g)", self.negval)
end

return LeakyReLU
