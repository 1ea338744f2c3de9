-- nn.VolumetricAveragePooling(kT, kW, kH [, dT=kT, dW=kW, dH=kH, padT=0, padW=0, padH=0]):
-- the mean of each kT×kH×kW window of C×T×H×W or N×C×T×H×W input; :ceil() / :floor() pick
-- how the output size rounds, setCountIncludePad() (the default) / setCountExcludePad()
-- whether padding counts in the divisor.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local G = require "nn.geometry"
local Pool = require "nn.pooling"

local call = aten.call
local VolumetricAveragePooling, parent = torch.class("nn.VolumetricAveragePooling", "nn.Module")

function VolumetricAveragePooling:__init(kT, kW, kH, dT, dW, dH, padT, padW, padH)
  parent.__init(self)
  self.kT = kT
  self.kH = kH
  self.kW = kW
  self.dT = dT or kT
  self.dW = dW or kW
  self.dH = dH or kH
  self.padT = padT or 0
  self.padW = padW or 0
  self.padH = padH or 0
  self.ceil_mode = false
  self.count_include_pad = true
end

Pool.install_rounding(VolumetricAveragePooling)
Pool.install_count_pad(VolumetricAveragePooling)

-- the kernel's arguments; models saved before padding existed lack those fields
local function geometry(self)
  self.padT, self.padW, self.padH = self.padT or 0, self.padW or 0, self.padH or 0
  if self.ceil_mode == nil then self.ceil_mode, self.count_include_pad = false, true end
  return Pool.average_args(self, G.VOLUMETRIC)
end

function VolumetricAveragePooling:updateOutput(input)
  nn.utils.checkType(self, input, self.output)
  K.check_dims(self, input, 5)
  K.take(self.output, call("avg_pool3d", input._h, geometry(self)))
  return self.output
end

function VolumetricAveragePooling:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  K.check_dims(self, input, 5)
  K.take(self.gradInput, call("avg_pool3d_backward", gradOutput._h, input._h, geometry(self)))
  return self.gradInput
end

function VolumetricAveragePooling:__tostring__()
  return Pool.describe(self, G.VOLUMETRIC) .. ")"
end

return VolumetricAveragePooling
