-- nn.VolumetricFullConvolution(nInputPlane, nOutputPlane, kT, kW, kH [, dT=1, dW=1, dH=1,
-- padT=0, padW=0, padH=0, adjT=0, adjW=0, adjH=0]): the transposed 3-D convolution; weight
-- is nInputPlane×nOutputPlane×kT×kH×kW, output size (in − 1)·d − 2·pad + k + adj. The input
-- may be the table {input, target}: adj is then chosen so the output matches target's size.
local torch = require "torch"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Conv = require "nn.convolution"

local error = error
local VolumetricFullConvolution, parent = torch.class("nn.VolumetricFullConvolution", "nn.Module")

local TXY = G.VOLUMETRIC

function VolumetricFullConvolution:__init(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH,
                                          padT, padW, padH, adjT, adjW, adjH)
  parent.__init(self)
  G.check_sizes(self, "nInputPlane", nInputPlane, "nOutputPlane", nOutputPlane, "kT", kT, "kW", kW, "kH", kH)
  self.nInputPlane = nInputPlane
  self.nOutputPlane = nOutputPlane
  self.kT, self.kW, self.kH = kT, kW, kH
  self.dT, self.dW, self.dH = dT or 1, dW or 1, dH or 1
  self.padT, self.padW, self.padH = padT or 0, padW or 0, padH or 0
  self.adjT, self.adjW, self.adjH = adjT or 0, adjW or 0, adjH or 0
  if self.adjT > self.dT - 1 or self.adjW > self.dW - 1 or self.adjH > self.dH - 1 then
    error("adjT, adjW and adjH must be smaller than self.dT - 1, self.dW - 1 and self.dH - 1 respectively", 2)
  end
  self.weight = torch.Tensor(nInputPlane, nOutputPlane, kT, kH, kW)
  self.gradWeight = torch.Tensor(nInputPlane, nOutputPlane, kT, kH, kW)
  self.bias = torch.Tensor(nOutputPlane)
  self.gradBias = torch.Tensor(nOutputPlane)
  self.ones = torch.Tensor()
  self:reset()
end

P.install_noBias(VolumetricFullConvolution)

function VolumetricFullConvolution:reset(stdv)
  return P.reset_uniform(self, stdv, self.kT * self.kW * self.kH * self.nInputPlane)
end

-- Models saved by older nn: the weight was nOutputPlane×nInputPlane×... before adj
-- existed, and the padding was named pT/pW/pH. Run before every use, as in Torch7 (which
-- leaves gradWeight in the old layout; it is turned too here, so gradients accumulate).
function VolumetricFullConvolution:backCompatibility()
  if not self.adjW then
    self.weight = self.weight:transpose(1, 2):contiguous()
    if self.gradWeight and self.gradWeight:dim() == 5 then
      self.gradWeight = self.gradWeight:transpose(1, 2):contiguous()
    end
  end
  self.padT, self.padW, self.padH = self.padT or self.pT, self.padW or self.pW, self.padH or self.pH
  self.adjT, self.adjW, self.adjH = self.adjT or 0, self.adjW or 0, self.adjH or 0
end

local function prepare(self, input)
  self:backCompatibility()
  local x, c = Conv.prepare_transposed(self, input, TXY)
  return x, c  -- not a tail call: errors count this frame
end

Conv.install(VolumetricFullConvolution, prepare, Conv.store_transposed)

K.install_buffers(VolumetricFullConvolution, parent)

function VolumetricFullConvolution:__tostring__()
  return Conv.describe(self, TXY, self.nOutputPlane) .. G.nonzero(self, "adj", TXY) .. Conv.closing(self)
end

return VolumetricFullConvolution
