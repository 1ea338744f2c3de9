-- nn.SpatialDropout([p=0.5] [, stochasticInference=false]): dropout of whole feature maps of
-- C×H×W or N×C×H×W input (neighbouring pixels are correlated, so single pixels are not
-- dropped). One noise:bernoulli(1 − p) draw per map, from Torch7's generator; unlike Dropout
-- the kept maps are not rescaled in training, and evaluation multiplies by (1 − p).
local torch = require "torch"
local SpatialDropout, Parent = torch.class("nn.SpatialDropout", "nn.Module")

function SpatialDropout:__init(p, stochasticInference)
  Parent.__init(self)
  self.p = p or 0.5
  self.train = true
  self.stochastic_inference = stochasticInference or false
  self.noise = torch.Tensor()
end

function SpatialDropout:updateOutput(input)
  self.output:resizeAs(input):copy(input)
  if self.train or self.stochastic_inference then
    if input:dim() == 4 then
      self.noise:resize(input:size(1), input:size(2), 1, 1)
    elseif input:dim() == 3 then
      self.noise:resize(input:size(1), 1, 1)
    else
      error("Input must be 4D (nbatch, nfeat, h, w) or 3D (nfeat, h, w)", 2)
    end
    self.noise:bernoulli(1 - self.p)
    -- We expand the random dropouts to the entire feature map because the
    -- features are likely correlated across the map and so the dropout
    -- should also be correlated.
    self.output:cmul(torch.expandAs(self.noise, input))
  else
    self.output:mul(1 - self.p)
  end
  return self.output
end

function SpatialDropout:updateGradInput(input, gradOutput)
  if self.train then
    self.gradInput:resizeAs(gradOutput):copy(gradOutput)
    -- simply mask the gradients with the noise vector
    self.gradInput:cmul(torch.expandAs(self.noise, input))
  else
    error("backprop only defined while training", 2)
  end
  return self.gradInput
end

function SpatialDropout:setp(p)
  self.p = p
end

function SpatialDropout:__tostring__()
  return string.format("%s(%f)", torch.type(self), self.p)
end

function SpatialDropout:clearState()
  if self.noise then self.noise:set() end
  return Parent.clearState(self)
end

return SpatialDropout
