-- nn.SpatialDilatedMaxPooling(kW, kH [, dW=kW, dH=kH, padW=0, padH=0, dilationW=1, dilationH=1]):
-- SpatialMaxPooling whose kW×kH window samples every dilationW-th column and dilationH-th row.
-- indices are 1-based positions within the input plane, as for SpatialMaxPooling.
local torch = require "torch"

local SpatialDilatedMaxPooling, parent = torch.class("nn.SpatialDilatedMaxPooling", "nn.SpatialMaxPooling")

function SpatialDilatedMaxPooling:__init(kW, kH, dW, dH, padW, padH, dilationW, dilationH)
  parent.__init(self, kW, kH, dW, dH, padW, padH)
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function SpatialDilatedMaxPooling:__tostring__()
  local s = string.format("%s(%dx%d, %d,%d", torch.type(self), self.kW, self.kH, self.dW, self.dH)
  if (self.padW or self.padH) and (self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padW .. "," .. self.padH
  end
  return s .. ", " .. self.dilationW .. "," .. self.dilationH .. ")"
end

return SpatialDilatedMaxPooling
