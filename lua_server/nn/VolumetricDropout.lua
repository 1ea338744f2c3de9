-- nn.VolumetricDropout([p=0.5] [, stochasticInference=false]): dropout of whole feature
-- volumes of C×T×H×W or N×C×T×H×W input, one noise:bernoulli(1 − p) draw per volume from
-- Torch7's generator. Kept volumes are not rescaled in training; evaluation multiplies by
-- (1 − p), or, with stochasticInference, draws masks too (into a copy: noise keeps the last
-- training mask, as Torch7's does).
local torch = require "torch"
local VolumetricDropout, Parent = torch.class("nn.VolumetricDropout", "nn.Module")

function VolumetricDropout:__init(p, stochasticInference)
  Parent.__init(self)
  self.p = p or 0.5
  self.train = true
  self.si = stochasticInference or false
  self.noise = torch.Tensor()
end

function VolumetricDropout:updateOutput(input)
  self.output:resizeAs(input):copy(input)
  local si = self.si and not self.train
  if self.train or si then
    local noise = si and self.noise:clone() or self.noise
    if input:dim() == 5 then
      noise:resize(input:size(1), input:size(2), 1, 1, 1)
    elseif input:dim() == 4 then
      noise:resize(input:size(1), 1, 1, 1)
    else
      error("Input must be 5D (nbatch, nfeat, t, h, w) or 4D (nfeat, t, h, w)", 2)
    end
    noise:bernoulli(1 - self.p)
    -- features are correlated across a volume, so the whole volume is dropped together
    self.output:cmul(torch.expandAs(noise, input))
  else
    self.output:mul(1 - self.p)
  end
  return self.output
end

function VolumetricDropout:updateGradInput(input, gradOutput)
  if not self.train then error("backprop only defined while training", 2) end
  self.gradInput:resizeAs(gradOutput):copy(gradOutput)
  self.gradInput:cmul(torch.expandAs(self.noise, input))
  return self.gradInput
end

function VolumetricDropout:setp(p)
  self.p = p
end

function VolumetricDropout:__tostring__()
  return string.format("%s(%f)", torch.type(self), self.p)
end

function VolumetricDropout:clearState()
  if self.noise then self.noise:set() end
  return Parent.clearState(self)
end

return VolumetricDropout
