-- nn.VolumetricConvolution(nInputPlane, nOutputPlane, kT, kW, kH [, dT=1, dW=1, dH=1,
-- padT=0, padW=padT, padH=padW]): 3-D convolution of C×T×H×W or N×C×T×H×W input; weight is
-- nOutputPlane×nInputPlane×kT×kH×kW (cunn-era models may hold it as
-- nOutputPlane×(nInputPlane·kT·kH·kW)). VolumetricDilatedConvolution sets dilation*.
local torch = require "torch"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Conv = require "nn.convolution"

local VolumetricConvolution, parent = torch.class("nn.VolumetricConvolution", "nn.Module")

local TXY, NO_ADJ = G.VOLUMETRIC, { 0, 0, 0 }

function VolumetricConvolution:__init(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH, padT, padW, padH)
  parent.__init(self)
  G.check_sizes(self, "nInputPlane", nInputPlane, "nOutputPlane", nOutputPlane, "kT", kT, "kW", kW, "kH", kH)
  self.nInputPlane = nInputPlane
  self.nOutputPlane = nOutputPlane
  self.kT = kT
  self.kW = kW
  self.kH = kH
  self.dT = dT or 1
  self.dW = dW or 1
  self.dH = dH or 1
  self.padT = padT or 0
  self.padW = padW or self.padT
  self.padH = padH or self.padW
  self.weight = torch.Tensor(nOutputPlane, nInputPlane, kT, kH, kW)
  self.bias = torch.Tensor(nOutputPlane)
  self.gradWeight = torch.Tensor(nOutputPlane, nInputPlane, kT, kH, kW)
  self.gradBias = torch.Tensor(nOutputPlane)
  self:reset()
end

function VolumetricConvolution:reset(stdv)
  return P.reset_uniform(self, stdv, self.kT * self.kW * self.kH * self.nInputPlane)
end

P.install_noBias(VolumetricConvolution)

local function prepare(self, input)
  Conv.check_planes(self, input, 5, 3)
  local w, wnew = Conv.weight(self, { self.nOutputPlane, self.nInputPlane, self.kT, self.kH, self.kW })
  return input, { dims = 5, weight = w, weight_is_new = wnew, bias = self.bias and self.bias._h,
    stride = G.aten(self, "d", TXY), padding = G.aten(self, "pad", TXY),
    dilation = G.aten(self, "dilation", TXY, 1), transposed = false, output_padding = NO_ADJ, groups = 1 }
end

Conv.install(VolumetricConvolution, prepare)

K.install_buffers(VolumetricConvolution, parent)

function VolumetricConvolution:__tostring__()
  return Conv.describe(self, TXY, self.nOutputPlane) .. ")"  -- Torch7 says nothing of a missing bias here
end

return VolumetricConvolution
