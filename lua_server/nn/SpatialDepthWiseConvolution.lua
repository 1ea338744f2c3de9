-- nn.SpatialDepthWiseConvolution(nInputPlane, depthwiseMultiplier, kW, kH [, dW=1, dH=1,
-- padW=0, padH=padW]): each input plane is convolved with depthwiseMultiplier kernels of its
-- own; output plane (i − 1)·depthwiseMultiplier + m is input plane i with kernel m. weight is
-- depthwiseMultiplier×(nInputPlane·kH·kW), bias depthwiseMultiplier×nInputPlane, both
-- U(−1/sqrt(kW·kH·nInputPlane), ...). The kernel is ATen's grouped convolution.
local torch = require "torch"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Conv = require "nn.convolution"

local SpatialDepthWiseConvolution, parent = torch.class("nn.SpatialDepthWiseConvolution", "nn.Module")

SpatialDepthWiseConvolution.__version = 2

local XY, NO_DILATION, NO_ADJ = G.SPATIAL, { 1, 1 }, { 0, 0 }

function SpatialDepthWiseConvolution:__init(nInputPlane, depthwiseMultiplier, kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  self.nInputPlane = nInputPlane
  self.depthwiseMultiplier = depthwiseMultiplier
  self.nOutputPlane = nInputPlane * depthwiseMultiplier
  self.kW = kW
  self.kH = kH
  self.dW = dW or 1
  self.dH = dH or 1
  self.padW = padW or 0
  self.padH = padH or self.padW
  self.weight = torch.Tensor(depthwiseMultiplier, nInputPlane * kH * kW)
  self.bias = torch.Tensor(depthwiseMultiplier, nInputPlane)
  self.gradWeight = torch.Tensor(depthwiseMultiplier, nInputPlane * kH * kW)
  self.gradBias = torch.Tensor(depthwiseMultiplier, nInputPlane)
  self:reset()
end

P.install_noBias(SpatialDepthWiseConvolution)

function SpatialDepthWiseConvolution:reset(stdv)
  P.reset_uniform(self, stdv, self.kW * self.kH * self.nInputPlane)
end

-- a parameter multiplier-major (m, i, ...) as ATen's input-major grouped layout (i, m, ...)
local function grouped(t, self, ...)
  return t:view(self.depthwiseMultiplier, self.nInputPlane, ...):transpose(1, 2):contiguous()
end

local function prepare(self, input)
  Conv.check_planes(self, input, 4, 3, "size mismatch: ")
  local weight = grouped(self.weight, self, self.kH, self.kW):view(self.nOutputPlane, 1, self.kH, self.kW)
  local bias = self.bias and grouped(self.bias, self):view(self.nOutputPlane)
  return input, { dims = 4, weight = weight._h, bias = bias and bias._h, keep = { weight, bias },
    stride = G.aten(self, "d", XY), padding = G.aten(self, "pad", XY), dilation = NO_DILATION,
    transposed = false, output_padding = NO_ADJ, groups = self.nInputPlane }
end

-- the parameters' gradients back from input-major (i, m) to multiplier-major (m, i)
local function store(self, input, gi, gw, gb, unbatched, scale)
  Conv.store(self, input, gi, nil, nil, unbatched, scale)
  local mult, nIn = self.depthwiseMultiplier, self.nInputPlane
  if gw then
    local g = self.weight.new()
    K.take(g, gw)
    -- THNN leaves gradWeight resized to mult×nIn×kH×kW (same elements, same storage)
    self.gradWeight:resize(mult, nIn, self.kH, self.kW)
    self.gradWeight:add(scale, g:view(nIn, mult, self.kH, self.kW):transpose(1, 2))
  end
  if gb then
    local g = self.weight.new()
    K.take(g, gb)
    self.gradBias:add(scale, g:view(nIn, mult):t())
  end
end

Conv.install(SpatialDepthWiseConvolution, prepare, store)

K.install_buffers(SpatialDepthWiseConvolution, parent)

function SpatialDepthWiseConvolution:read(file, version)
  local fields = file:readObject()
  for k, v in pairs(fields) do self[k] = v end
  -- version 1 called the multiplier nOutputPlane
  if version < 2 then
    self.depthwiseMultiplier = self.nOutputPlane
    self.nOutputPlane = self.depthwiseMultiplier * self.nInputPlane
  end
end

function SpatialDepthWiseConvolution:__tostring__()
  return Conv.describe(self, XY, self.depthwiseMultiplier) .. Conv.closing(self)
end

return SpatialDepthWiseConvolution
