-- nn.GradientReversal([lambda=1]): the identity forward; backward multiplies the gradient
-- by -lambda (domain-adversarial training).
local torch = require "torch"
local GradientReversal, parent = torch.class("nn.GradientReversal", "nn.Module")

GradientReversal.__version = 2

function GradientReversal:__init(lambda)
  parent.__init(self)
  self.lambda = lambda or 1
end

function GradientReversal:setLambda(lambda)
  self.lambda = lambda
end

function GradientReversal:updateOutput(input)
  self.output:set(input)
  return self.output
end

function GradientReversal:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(gradOutput):copy(gradOutput):mul(-(self.lambda or 1))
  return self.gradInput
end

return GradientReversal
