-- nn.WhiteNoise([mean=0] [, std=0.1]): adds N(mean, std) noise to the input in training; in
-- evaluate mode adds mean only, and has no gradient.
local torch = require "torch"
local WhiteNoise, parent = torch.class("nn.WhiteNoise", "nn.Module")

function WhiteNoise:__init(mean, std)
  parent.__init(self)
  self.mean = mean or 0
  self.std = std or 0.1
  self.noise = torch.Tensor()
end

function WhiteNoise:updateOutput(input)
  self.output:resizeAs(input):copy(input)
  if self.train ~= false then
    self.noise = nn.utils.typeLike(self.noise, input)
    self.noise:resizeAs(input):normal(self.mean, self.std)
    self.output:add(self.noise)
  elseif self.mean ~= 0 then
    self.output:add(self.mean)
  end
  return self.output
end

function WhiteNoise:updateGradInput(input, gradOutput)
  if self.train == false then
    error("backprop only defined while training", 2)
  end
  self.gradInput:resizeAs(gradOutput):copy(gradOutput)
  return self.gradInput
end

function WhiteNoise:clearState()
  self.noise:set()
  return parent.clearState(self)
end

function WhiteNoise:__tostring__()
  return string.format("%s mean: %f, std: %f", torch.type(self), self.mean, self.std)
end

return WhiteNoise
