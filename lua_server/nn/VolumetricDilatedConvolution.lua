-- nn.VolumetricDilatedConvolution(nInputPlane, nOutputPlane, kT, kW, kH [, dT=1, dW=1, dH=1,
-- padT=0, padW=0, padH=0, dilationT=1, dilationW=1, dilationH=1]): VolumetricConvolution whose
-- kernel taps are dilation apart; weight nOutputPlane×nInputPlane×kT×kH×kW.
local torch = require "torch"
local G = require "nn.geometry"
local Conv = require "nn.convolution"

local VolumetricDilatedConvolution, parent =
  torch.class("nn.VolumetricDilatedConvolution", "nn.VolumetricConvolution")

local TXY = G.VOLUMETRIC

function VolumetricDilatedConvolution:__init(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH,
                                             padT, padW, padH, dilationT, dilationW, dilationH)
  parent.__init(self, nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH, padT or 0, padW or 0, padH or 0)
  self.dilationT = dilationT or 1
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function VolumetricDilatedConvolution:__tostring__()
  return Conv.describe(self, TXY, self.nOutputPlane) .. ", " .. G.list(self, "dilation", TXY) ..
    Conv.closing(self)
end

return VolumetricDilatedConvolution
