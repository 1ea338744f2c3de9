-- nn.SpatialLPPooling(nInputPlane, pnorm, kW, kH [, dW=kW, dH=kH]): a Sequential of
-- x^pnorm (Square for 2), SpatialAveragePooling(kW, kH, dW, dH), MulConstant(kW·kH) and the
-- 1/pnorm power (Sqrt for 2), i.e. (Σ x^p over each window)^(1/p). It has no parameters of its own:
-- the methods that would train the pooling are no-ops.
local torch = require "torch"

local SpatialLPPooling, parent = torch.class("nn.SpatialLPPooling", "nn.Sequential")

function SpatialLPPooling:__init(nInputPlane, pnorm, kW, kH, dW, dH)
  parent.__init(self)
  self.kW = kW
  self.kH = kH
  self.dW = dW or kW
  self.dH = dH or kH
  self:add(pnorm == 2 and nn.Square() or nn.Power(pnorm))
  self:add(nn.SpatialAveragePooling(kW, kH, self.dW, self.dH))
  self:add(nn.MulConstant(kW * kH))
  self:add(pnorm == 2 and nn.Sqrt() or nn.Power(1 / pnorm))
end

function SpatialLPPooling:reset() end

function SpatialLPPooling:accGradParameters() end

function SpatialLPPooling:accUpdateGradParameters() end

function SpatialLPPooling:zeroGradParameters() end

function SpatialLPPooling:updateParameters() end

return SpatialLPPooling
