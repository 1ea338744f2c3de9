-- nn.ELU([alpha=1] [, inplace=false]): x for x > 0, alpha * (exp(x) - 1) otherwise. The
-- gradient is computed from the output, so it also works in place.
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local ELU, parent = torch.class("nn.ELU", "nn.Module")

function ELU:__init(alpha, inplace)
  parent.__init(self)
  self.alpha = alpha or 1
  assert(type(self.alpha) == "number")
  self.inplace = inplace or false
  assert(type(self.inplace) == "boolean")
end

function ELU:updateOutput(input)
  if self.inplace then
    run("elu_", input._h, self.alpha, 1, 1)
    self.output:set(input)
  else
    self.output:resizeAs(input)
    run("elu.out", input._h, self.alpha, 1, 1, self.output._h)
  end
  return self.output
end

function ELU:updateGradInput(input, gradOutput)
  local dest = self.gradInput
  if self.inplace then dest = gradOutput else dest:resizeAs(input) end
  run("elu_backward.grad_input", gradOutput._h, self.alpha, 1, 1, true, self.output._h, dest._h)
  if self.inplace then self.gradInput:set(gradOutput) end
  return self.gradInput
end

function ELU:__tostring__()
  return string.format("%s (alpha:%f)", torch.type(self), self.alpha)
end

return ELU
