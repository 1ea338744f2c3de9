-- nn.SpatialConvolutionLocal(nInputPlane, nOutputPlane, iW, iH, kW, kH [, dW=1, dH=1,
-- padW=0, padH=padW]): a convolution whose kernel differs at every output position (a locally
-- connected layer) for a fixed iW×iH input. weight is oH×oW×nOutputPlane×nInputPlane×kH×kW,
-- bias nOutputPlane×oH×oW, both U(−1/sqrt(kW·kH·nInputPlane), ...). The input is unfolded
-- with ATen's im2col and each position's kernel applied by one batched matrix product.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"

local call = aten.call
local format = string.format
local SpatialConvolutionLocal, parent = torch.class("nn.SpatialConvolutionLocal", "nn.Module")

local XY, NO_DILATION = G.SPATIAL, { 1, 1 }

function SpatialConvolutionLocal:__init(nInputPlane, nOutputPlane, iW, iH, kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  self.nInputPlane = nInputPlane
  self.nOutputPlane = nOutputPlane
  self.kW = kW
  self.kH = kH
  self.iW = iW
  self.iH = iH
  self.dW = dW or 1
  self.dH = dH or 1
  self.padW = padW or 0
  self.padH = padH or self.padW
  self.oW = G.output_size(iW, self.kW, self.dW, self.padW, 1)
  self.oH = G.output_size(iH, self.kH, self.dH, self.padH, 1)
  assert(1 <= self.oW and 1 <= self.oH, "illegal configuration: output width or height less than 1")
  self.weight = torch.Tensor(self.oH, self.oW, nOutputPlane, nInputPlane, kH, kW)
  self.bias = torch.Tensor(nOutputPlane, self.oH, self.oW)
  self.gradWeight = torch.Tensor():resizeAs(self.weight)
  self.gradBias = torch.Tensor():resizeAs(self.bias)
  self.finput = torch.Tensor()
  self.fgradInput = torch.Tensor()
  self:reset()
end

function SpatialConvolutionLocal:reset(stdv)
  P.reset_uniform(self, stdv, self.kW * self.kH * self.nInputPlane)
end

local function size_string(t) return table.concat(t:size():totable(), "x") end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = input:dim()
  if d ~= 3 and d ~= 4 then
    error(format("%s: 3D or 4D(batch mode) tensor expected, got a %dD tensor", torch.type(self), d), 3)
  end
  if input:size(d - 2) ~= self.nInputPlane or input:size(d - 1) ~= self.iH or input:size(d) ~= self.iW then
    error(format("%s: size mismatch: given input size: (%s) inconsistent with expected input size: (%s%dx%dx%d)",
      torch.type(self), size_string(input), d == 4 and "batchsize x" or "", self.nInputPlane, self.iH, self.iW), 3)
  end
end

local function check_gradOutput(self, input, gradOutput)
  local d = input:dim()
  if gradOutput:dim() ~= d or gradOutput:size(d - 2) ~= self.nOutputPlane or gradOutput:size(d - 1) ~= self.oH
      or gradOutput:size(d) ~= self.oW then
    error(format("%s: size mismatch: given gradOutput size: (%s) inconsistent with expected output size: (%s%dx%dx%d)",
      torch.type(self), size_string(gradOutput), d == 4 and "batchsize x" or "", self.nOutputPlane, self.oH, self.oW), 3)
  end
end

-- the unfolded input, positions first: L×(nInputPlane·kH·kW)×N
local function columns(self, input)
  local x, unbatched = K.batched(input, 4)
  local cols = input.new()
  K.take(cols, call("im2col", x, { self.kH, self.kW }, NO_DILATION, { self.padH, self.padW }, { self.dH, self.dW }))
  K.release(x, unbatched)
  return cols:permute(3, 2, 1):contiguous()
end

local function weight3(self)
  return self.weight:view(self.oH * self.oW, self.nOutputPlane, self.nInputPlane * self.kH * self.kW)
end

function SpatialConvolutionLocal:updateOutput(input)
  check_input(self, input)
  local L = self.oH * self.oW
  local out = torch.bmm(weight3(self), columns(self, input))            -- L×nOut×N
  local y = out:permute(3, 2, 1):contiguous()                            -- N×nOut×L
  y:add(self.bias:view(1, self.nOutputPlane, L):expandAs(y))
  y = y:view(y:size(1), self.nOutputPlane, self.oH, self.oW)
  if input:dim() == 3 then y = y[1] end
  self.output:resizeAs(y):copy(y)
  return self.output
end

-- gradOutput as L×nOutputPlane×N
local function positions_first(self, gradOutput)
  local n = gradOutput:dim() == 4 and gradOutput:size(1) or 1
  return gradOutput:contiguous():view(n, self.nOutputPlane, self.oH * self.oW):permute(3, 2, 1):contiguous()
end

function SpatialConvolutionLocal:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  check_input(self, input)
  check_gradOutput(self, input, gradOutput)
  local gcols = torch.bmm(weight3(self):transpose(2, 3), positions_first(self, gradOutput))  -- L×K×N
  gcols = gcols:permute(3, 2, 1):contiguous()                                                 -- N×K×L
  local g = input.new()
  K.take(g, call("col2im", gcols._h, { self.iH, self.iW }, { self.kH, self.kW }, NO_DILATION,
    { self.padH, self.padW }, { self.dH, self.dW }))
  if input:dim() == 3 then g = g[1] end
  self.gradInput:resizeAs(g):copy(g)
  return self.gradInput
end

function SpatialConvolutionLocal:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  check_input(self, input)
  check_gradOutput(self, input, gradOutput)
  local go = positions_first(self, gradOutput)                             -- L×nOut×N
  local gw = torch.bmm(go, columns(self, input):transpose(2, 3))           -- L×nOut×K
  self.gradWeight:add(scale, gw:viewAs(self.gradWeight))
  self.gradBias:add(scale, go:sum(3):view(self.oH * self.oW, self.nOutputPlane):t():reshape(self.gradBias:size()))
end

K.install_buffers(SpatialConvolutionLocal, parent)

function SpatialConvolutionLocal:__tostring__()
  return format("%s(%d -> %d, %s, %s%s)", torch.type(self), self.nInputPlane, self.nOutputPlane,
    G.sizes(self, "i", XY), G.sizes(self, "k", XY), G.steps(self, XY))
end

return SpatialConvolutionLocal
