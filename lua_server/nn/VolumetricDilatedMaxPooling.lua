-- nn.VolumetricDilatedMaxPooling(kT, kW, kH [, dT=kT, dW=kW, dH=kH, padT=0, padW=0, padH=0,
-- dilationT=1, dilationW=1, dilationH=1]): VolumetricMaxPooling with a dilated window.
local torch = require "torch"

local VolumetricDilatedMaxPooling, parent =
  torch.class("nn.VolumetricDilatedMaxPooling", "nn.VolumetricMaxPooling")

function VolumetricDilatedMaxPooling:__init(kT, kW, kH, dT, dW, dH, padT, padW, padH,
                                            dilationT, dilationW, dilationH)
  parent.__init(self, kT, kW, kH, dT, dW, dH, padT, padW, padH)
  self.dilationT = dilationT or 1
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function VolumetricDilatedMaxPooling:__tostring__()
  local s = string.format("%s(%dx%dx%d, %d,%d,%d", torch.type(self), self.kT, self.kW, self.kH,
    self.dT, self.dW, self.dH)
  if (self.padT or self.padW or self.padH) and (self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padT .. "," .. self.padW .. "," .. self.padH
  end
  return s .. ", " .. self.dilationT .. "," .. self.dilationW .. "," .. self.dilationH .. ")"
end

return VolumetricDilatedMaxPooling
