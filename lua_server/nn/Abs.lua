-- nn.Abs: |x|; the gradient is gradOutput * (x >= 0 ? 1 : -1) (+1 at zero, as Torch7).
local torch = require "torch"
local Abs, parent = torch.class("nn.Abs", "nn.Module")

function Abs:updateOutput(input)
  self.output:resizeAs(input):abs(input)
  return self.output
end

function Abs:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input):copy(input:ge(0)):mul(2):add(-1):cmul(gradOutput)
  return self.gradInput
end

return Abs
