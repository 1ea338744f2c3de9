-- nn.Exp: exp(x); the derivative is the output itself.
local torch = require "torch"
local Exp, parent = torch.class("nn.Exp", "nn.Module")

function Exp:updateOutput(input)
  return self.output:exp(input)
end

function Exp:updateGradInput(input, gradOutput)
  return self.gradInput:cmul(self.output, gradOutput)
end

return Exp
