-- nn.SpatialDilatedConvolution(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0,
-- padH=padW, dilationW=1, dilationH=1]): a SpatialConvolution whose kernel taps are
-- dilationW/dilationH pixels apart (output size (in + 2·pad − dilation·(k−1) − 1)/d + 1).
local torch = require "torch"
require "nn.SpatialConvolution"
local SpatialDilatedConvolution, parent =
  torch.class("nn.SpatialDilatedConvolution", "nn.SpatialConvolution")

function SpatialDilatedConvolution:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH,
                                          dilationW, dilationH)
  parent.__init(self, nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function SpatialDilatedConvolution:__tostring__()
  local s = string.format("%s(%d -> %d, %dx%d", torch.type(self), self.nInputPlane,
    self.nOutputPlane, self.kW, self.kH)
  if self.dW ~= 1 or self.dH ~= 1 or self.padW ~= 0 or self.padH ~= 0 then
    s = s .. string.format(", %d,%d", self.dW, self.dH)
  end
  if (self.padW or self.padH) and (self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padW .. "," .. self.padH
  end
  s = s .. ", " .. self.dilationW .. "," .. self.dilationH
  if self.bias then return s .. ")" end
  return s .. ") without bias"
end

return SpatialDilatedConvolution
