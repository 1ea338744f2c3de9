-- nn.SpatialFullConvolution(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0, padH=0,
-- adjW=0, adjH=0]): the transposed ("full", "deconvolution") 2-D convolution. weight is
-- nInputPlane×nOutputPlane×kH×kW; output size (in − 1)·d − 2·pad + k + adj. The input may be
-- the table {input, target}: adjW/adjH are then chosen so the output matches target's size.
local torch = require "torch"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Conv = require "nn.convolution"

local error = error
local SpatialFullConvolution, parent = torch.class("nn.SpatialFullConvolution", "nn.Module")

local XY = G.SPATIAL

function SpatialFullConvolution:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH, adjW, adjH)
  parent.__init(self)
  G.check_sizes(self, "nInputPlane", nInputPlane, "nOutputPlane", nOutputPlane, "kW", kW, "kH", kH)
  self.nInputPlane = nInputPlane
  self.nOutputPlane = nOutputPlane
  self.kW = kW
  self.kH = kH
  self.dW = dW or 1
  self.dH = dH or 1
  self.padW = padW or 0
  self.padH = padH or 0
  self.adjW = adjW or 0
  self.adjH = adjH or 0
  if self.adjW > self.dW - 1 or self.adjH > self.dH - 1 then
    error("adjW and adjH must be smaller than self.dW - 1 and self.dH - 1 respectively", 2)
  end
  self.weight = torch.Tensor(nInputPlane, nOutputPlane, kH, kW)
  self.gradWeight = torch.Tensor(nInputPlane, nOutputPlane, kH, kW)
  self.bias = torch.Tensor(self.nOutputPlane)
  self.gradBias = torch.Tensor(self.nOutputPlane)
  self.ones = torch.Tensor()
  self:reset()
end

P.install_noBias(SpatialFullConvolution)

function SpatialFullConvolution:reset(stdv)
  return P.reset_uniform(self, stdv, self.kW * self.kH * self.nInputPlane)
end

local function prepare(self, input)
  self.adjW, self.adjH = self.adjW or 0, self.adjH or 0  -- models saved by older nn lack them
  local x, c = Conv.prepare_transposed(self, input, XY)
  return x, c  -- not a tail call: errors count this frame
end

Conv.install(SpatialFullConvolution, prepare, Conv.store_transposed)

K.install_buffers(SpatialFullConvolution, parent)

function SpatialFullConvolution:__tostring__()
  return Conv.describe(self, XY, self.nOutputPlane) .. G.nonzero(self, "adj", XY) .. Conv.closing(self)
end

return SpatialFullConvolution
