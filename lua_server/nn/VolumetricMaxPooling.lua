-- nn.VolumetricMaxPooling(kT, kW, kH [, dT=kT, dW=kW, dH=kH, padT=0, padW=0, padH=0]): the
-- maximum of each kT×kH×kW window of C×T×H×W or N×C×T×H×W input; :ceil() / :floor().
-- indices holds 1-based positions within each input volume (t·H·W + y·W + x + 1).
-- VolumetricDilatedMaxPooling, a subclass, sets dilation*.
local torch = require "torch"
local G = require "nn.geometry"
local Pool = require "nn.pooling"

local VolumetricMaxPooling, parent = torch.class("nn.VolumetricMaxPooling", "nn.Module")

VolumetricMaxPooling.__version = 2

local TXY = G.VOLUMETRIC

function VolumetricMaxPooling:__init(kT, kW, kH, dT, dW, dH, padT, padW, padH)
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
  self.indices = torch.LongTensor()
end

Pool.install_rounding(VolumetricMaxPooling)

function VolumetricMaxPooling:updateOutput(input)
  local d = Pool.prepare_max(self, input, TXY, 2)
  self.itime, self.iheight, self.iwidth = input:size(d - 2), input:size(d - 1), input:size(d)
  return Pool.max_forward(self, input, "max_pool3d_with_indices", TXY)
end

function VolumetricMaxPooling:updateGradInput(input, gradOutput)
  Pool.prepare_max(self, input, TXY, 2)
  return Pool.max_backward(self, input, gradOutput, "max_pool3d_with_indices_backward", TXY)
end

Pool.install_indices(VolumetricMaxPooling, parent)

-- version 1 files predate ceil_mode
function VolumetricMaxPooling:read(file, version)
  local fields = file:readObject()
  for k, v in pairs(fields) do self[k] = v end
  if version < 2 then self.ceil_mode = false end
end

function VolumetricMaxPooling:__tostring__()
  return Pool.describe(self, TXY) .. ")"
end

return VolumetricMaxPooling
