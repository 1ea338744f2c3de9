-- nn.SpatialAveragePooling(kW, kH [, dW=1, dH=1, padW=0, padH=0]): the mean of each kW×kH
-- window of C×H×W or N×C×H×W input. :ceil() / :floor() pick how the output size rounds;
-- setCountIncludePad() (the default) divides by the window including its padding,
-- setCountExcludePad() by the pixels inside the image only. Models saved with
-- divide = false (old nn) get window sums.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local G = require "nn.geometry"
local Pool = require "nn.pooling"

local call = aten.call
local SpatialAveragePooling, parent = torch.class("nn.SpatialAveragePooling", "nn.Module")

function SpatialAveragePooling:__init(kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  self.kW = kW
  self.kH = kH
  self.dW = dW or 1
  self.dH = dH or 1
  self.padW = padW or 0
  self.padH = padH or 0
  self.ceil_mode = false
  self.count_include_pad = true
  self.divide = true
end

Pool.install_rounding(SpatialAveragePooling)
Pool.install_count_pad(SpatialAveragePooling)

-- models saved before ceil_mode existed had no padding either
local function backwardCompatible(self)
  if self.ceil_mode == nil then
    self.ceil_mode = false
    self.count_include_pad = true
    self.padH = 0
    self.padW = 0
  end
end

function SpatialAveragePooling:updateOutput(input)
  backwardCompatible(self)
  nn.utils.checkType(self, input, self.output)
  K.check_dims(self, input, 4)
  local h = call("avg_pool2d", input._h, Pool.average_args(self, G.SPATIAL))
  K.take(self.output, h)
  if not self.divide then self.output:mul(self.kW * self.kH) end
  return self.output
end

function SpatialAveragePooling:updateGradInput(input, gradOutput)
  if self.gradInput then
    backwardCompatible(self)
    K.check_dims(self, input, 4)
    local h = call("avg_pool2d_backward", gradOutput._h, input._h, Pool.average_args(self, G.SPATIAL))
    K.take(self.gradInput, h)
    if not self.divide then self.gradInput:mul(self.kW * self.kH) end
    return self.gradInput
  end
end

function SpatialAveragePooling:__tostring__()
  return Pool.describe(self, G.SPATIAL) .. ")"
end

return SpatialAveragePooling
