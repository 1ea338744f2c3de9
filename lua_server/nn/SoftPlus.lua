-- nn.SoftPlus([beta=1] [, threshold=20]): log(1 + exp(beta x)) / beta, and x itself where
-- beta x > threshold (for numerical stability).
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local SoftPlus, parent = torch.class("nn.SoftPlus", "nn.Module")

function SoftPlus:__init(beta, threshold)
  parent.__init(self)
  self.beta = beta or 1
  self.threshold = threshold or 20
end

function SoftPlus:updateOutput(input)
  self.output:resizeAs(input)
  run("softplus.out", input._h, self.beta, self.threshold, self.output._h)
  return self.output
end

function SoftPlus:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input)
  run("softplus_backward.grad_input", gradOutput._h, input._h, self.beta, self.threshold,
    self.gradInput._h)
  return self.gradInput
end

return SoftPlus
