-- nn.SpatialConvolution(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0, padH=padW]):
-- 2-D convolution of C×H×W or N×C×H×W input. weight is nOutputPlane×nInputPlane×kH×kW
-- (a legacy 2-D nOutputPlane×(nInputPlane·kH·kW) weight is read through a view). The kernel
-- is ATen's convolution / convolution_backward; SpatialConvolutionMM and
-- SpatialDilatedConvolution (dilationW, dilationH) share these methods.
local torch = require "torch"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Conv = require "nn.convolution"

local format = string.format
local error = error
local SpatialConvolution, parent = torch.class("nn.SpatialConvolution", "nn.Module")

local XY, NO_ADJ = G.SPATIAL, { 0, 0 }

function SpatialConvolution:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  G.check_sizes(self, "nInputPlane", nInputPlane, "nOutputPlane", nOutputPlane, "kW", kW, "kH", kH)
  self.nInputPlane = nInputPlane
  self.nOutputPlane = nOutputPlane
  self.kW = kW
  self.kH = kH
  self.dW = dW or 1
  self.dH = dH or 1
  self.padW = padW or 0
  self.padH = padH or self.padW
  self.weight = torch.Tensor(nOutputPlane, nInputPlane, kH, kW)
  self.bias = torch.Tensor(nOutputPlane)
  self.gradWeight = torch.Tensor(nOutputPlane, nInputPlane, kH, kW)
  self.gradBias = torch.Tensor(nOutputPlane)
  self:reset()
end

P.install_noBias(SpatialConvolution)

function SpatialConvolution:reset(stdv)
  return P.reset_uniform(self, stdv, self.kW * self.kH * self.nInputPlane)
end

-- models saved by old nn versions carry `padding` instead of padW/padH
local function backCompatibility(self)
  if self.padding then
    self.padW, self.padH = self.padding, self.padding
    self.padding = nil
  else
    self.padW = self.padW or 0
    self.padH = self.padH or 0
  end
end

local function prepare(self, input)
  backCompatibility(self)
  local d = Conv.check_planes(self, input, 4, 3)
  local iH, iW = input:size(d - 1), input:size(d)
  local dilH, dilW = self.dilationH or 1, self.dilationW or 1
  local oH = G.output_size(iH, self.kH, self.dH, self.padH, dilH)
  local oW = G.output_size(iW, self.kW, self.dW, self.padW, dilW)
  if oH < 1 or oW < 1 then
    error(format("%s: given input size (%dx%dx%d), the calculated output size (%dx%dx%d) is too small",
      torch.type(self), self.nInputPlane, iH, iW, self.nOutputPlane, oH, oW), 3)
  end
  local w, wnew = Conv.weight(self, { self.nOutputPlane, self.nInputPlane, self.kH, self.kW })
  return input, { dims = 4, weight = w, weight_is_new = wnew, bias = self.bias and self.bias._h,
    stride = G.aten(self, "d", XY), padding = G.aten(self, "pad", XY), dilation = { dilH, dilW },
    transposed = false, output_padding = NO_ADJ, groups = 1 }
end

Conv.install(SpatialConvolution, prepare)

K.install_buffers(SpatialConvolution, parent)

function SpatialConvolution:__tostring__()
  return Conv.describe(self, XY, self.nOutputPlane) .. Conv.closing(self)
end

return SpatialConvolution
