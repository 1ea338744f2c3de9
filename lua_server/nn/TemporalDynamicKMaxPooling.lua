-- nn.TemporalDynamicKMaxPooling(minK [, factor=0]): keeps the k largest frames of each
-- feature, in their original order, of nInputFrame×frameSize (or N×...) input, with
-- k = max(minK, ceil(factor·nInputFrame)) (Kalchbrenner et al., "A Convolutional Neural
-- Network for Modelling Sentences"). indices holds the kept frames per feature.
local torch = require "torch"

local max, ceil = math.max, math.ceil
local TemporalDynamicKMaxPooling, parent = torch.class("nn.TemporalDynamicKMaxPooling", "nn.Module")

function TemporalDynamicKMaxPooling:__init(minK, factor)
  parent.__init(self)
  self.minK = minK
  self.factor = factor or 0
end

function TemporalDynamicKMaxPooling:updateOutput(input)
  assert(input:dim() == 2 or input:dim() == 3, "Only 2D or 3D(batch mode) accepted")
  local seqDim = input:dim() - 1
  local length = input:size(seqDim)
  local k = max(self.minK, ceil(self.factor * length))
  assert(length >= self.minK, "Input sequence length (" .. length .. ") too small for desired k value (" .. k .. ")")
  local _, order = input:sort(seqDim, true)
  -- the k largest, back in sequence order
  self.indices = order:narrow(seqDim, 1, k):sort(seqDim)
  self.output = input:gather(seqDim, self.indices)
  return self.output
end

function TemporalDynamicKMaxPooling:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  local seqDim = input:dim() - 1
  self.gradInput:resizeAs(input):zero()
  local kept = self.gradInput:gather(seqDim, self.indices):add(gradOutput)
  self.gradInput:scatter(seqDim, self.indices, kept)
  return self.gradInput
end

function TemporalDynamicKMaxPooling:clearState()
  nn.utils.clear(self, "indices")
  return parent.clearState(self)
end

return TemporalDynamicKMaxPooling
