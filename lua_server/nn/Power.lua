-- nn.Power(p): x^p; the derivative is p x^(p-1).
local torch = require "torch"
local Power, parent = torch.class("nn.Power", "nn.Module")

function Power:__init(p)
  parent.__init(self)
  self.pow = p
  if not p then error("nn.Power(power)", 2) end
end

function Power:updateOutput(input)
  self.output:resizeAs(input):copy(input):pow(self.pow)
  return self.output
end

function Power:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input):copy(input):pow(self.pow - 1):cmul(gradOutput):mul(self.pow)
  return self.gradInput
end

return Power
