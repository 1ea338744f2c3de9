-- nn.VolumetricDilatedConvolution(nInputPlane, nOutputPlane, kT, kW, kH [, dT=1, dW=1, dH=1,
-- padT=0, padW=0, padH=0, dilationT=1, dilationW=1, dilationH=1]): VolumetricConvolution whose
-- kernel taps are dilation apart; weight nOutputPlane×nInputPlane×kT×kH×kW.
local torch = require "torch"

local VolumetricDilatedConvolution, parent =
  torch.class("nn.VolumetricDilatedConvolution", "nn.VolumetricConvolution")

function VolumetricDilatedConvolution:__init(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH,
                                             padT, padW, padH, dilationT, dilationW, dilationH)
  parent.__init(self, nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH, padT or 0, padW or 0, padH or 0)
  self.dilationT = dilationT or 1
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function VolumetricDilatedConvolution:__tostring__()
  local s = string.format("%s(%d -> %d, %dx%dx%d", torch.type(self), self.nInputPlane,
    self.nOutputPlane, self.kT, self.kW, self.kH)
  if self.dT ~= 1 or self.dW ~= 1 or self.dH ~= 1 or self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0 then
    s = s .. string.format(", %d,%d,%d", self.dT, self.dW, self.dH)
  end
  if (self.padT or self.padW or self.padH) and (self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padT .. "," .. self.padW .. "," .. self.padH
  end
  s = s .. ", " .. self.dilationT .. "," .. self.dilationW .. "," .. self.dilationH
  if self.bias then return s .. ")" end
  return s .. ") without bias"
end

return VolumetricDilatedConvolution
