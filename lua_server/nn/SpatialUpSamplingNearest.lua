-- nn.SpatialUpSamplingNearest(scale): nearest-neighbour upsampling of the last two
-- dimensions of C×H×W or N×C×H×W input by an integer factor (each pixel becomes a
-- scale×scale block); the gradient sums each block.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local floor, error = math.floor, error
local SpatialUpSamplingNearest, parent = torch.class("nn.SpatialUpSamplingNearest", "nn.Module")

function SpatialUpSamplingNearest:__init(scale)
  parent.__init(self)
  self.scale_factor = scale
  if type(scale) ~= "number" or self.scale_factor < 1 then
    error("scale_factor must be greater than 1", 2)
  end
  if floor(self.scale_factor) ~= self.scale_factor then
    error("scale_factor must be integer", 2)
  end
  self.inputSize = torch.LongStorage(4)
  self.outputSize = torch.LongStorage(4)
end

local function check(self, input)
  if input:dim() ~= 4 and input:dim() ~= 3 then
    error("SpatialUpSamplingNearest only support 3D or 4D tensors", 3)
  end
end

function SpatialUpSamplingNearest:updateOutput(input)
  check(self, input)
  nn.utils.checkType(self, input, self.output)
  local d, s = input:dim(), self.scale_factor
  for i = 1, d do
    self.inputSize[i] = input:size(i)
    self.outputSize[i] = input:size(i)
  end
  self.outputSize[d - 1] = self.outputSize[d - 1] * s
  self.outputSize[d] = self.outputSize[d] * s
  local x, unbatched = K.batched(input, 4)
  local h = call("upsample_nearest2d", x, { self.outputSize[d - 1], self.outputSize[d] }, nil, nil)
  K.release(x, unbatched)
  K.take(self.output, h, unbatched)
  return self.output
end

function SpatialUpSamplingNearest:updateGradInput(input, gradOutput)
  check(self, input)
  local d, s = input:dim(), self.scale_factor
  local go, unbatched = K.batched(gradOutput, 4)
  local n = d == 4 and input:size(1) or 1
  local h = call("upsample_nearest2d_backward", go, { input:size(d - 1) * s, input:size(d) * s },
    { n, input:size(d - 2), input:size(d - 1), input:size(d) }, nil, nil)
  K.release(go, unbatched)
  K.take(self.gradInput, h, unbatched)
  return self.gradInput
end

return SpatialUpSamplingNearest
