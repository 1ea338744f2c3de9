-- nn.SpatialDilatedConvolution(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0,
-- padH=padW, dilationW=1, dilationH=1]): a SpatialConvolution whose kernel taps are
-- dilationW/dilationH pixels apart (output size (in + 2·pad − dilation·(k−1) − 1)/d + 1).
local torch = require "torch"
local G = require "nn.geometry"
local Conv = require "nn.convolution"
require "nn.SpatialConvolution"
local SpatialDilatedConvolution, parent =
  torch.class("nn.SpatialDilatedConvolution", "nn.SpatialConvolution")

local XY = G.SPATIAL

function SpatialDilatedConvolution:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH,
                                          dilationW, dilationH)
  parent.__init(self, nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function SpatialDilatedConvolution:__tostring__()
  return Conv.describe(self, XY, self.nOutputPlane) .. ", " .. G.list(self, "dilation", XY) .. Conv.closing(self)
end

return SpatialDilatedConvolution
