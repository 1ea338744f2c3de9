-- nn.SpatialDilatedMaxPooling(kW, kH [, dW=kW, dH=kH, padW=0, padH=0, dilationW=1, dilationH=1]):
-- SpatialMaxPooling whose kW×kH window samples every dilationW-th column and dilationH-th row.
-- indices are 1-based positions within the input plane, as for SpatialMaxPooling.
local torch = require "torch"
local G = require "nn.geometry"
local Pool = require "nn.pooling"

local SpatialDilatedMaxPooling, parent = torch.class("nn.SpatialDilatedMaxPooling", "nn.SpatialMaxPooling")

function SpatialDilatedMaxPooling:__init(kW, kH, dW, dH, padW, padH, dilationW, dilationH)
  parent.__init(self, kW, kH, dW, dH, padW, padH)
  self.dilationW = dilationW or 1
  self.dilationH = dilationH or 1
end

function SpatialDilatedMaxPooling:__tostring__()
  return Pool.describe(self, G.SPATIAL) .. ", " .. G.list(self, "dilation", G.SPATIAL) .. ")"
end

return SpatialDilatedMaxPooling
