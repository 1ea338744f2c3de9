-- nn.SpatialDepthWiseConvolution(nInputPlane, depthwiseMultiplier, kW, kH [, dW=1, dH=1,
-- padW=0, padH=padW]): each input plane is convolved with depthwiseMultiplier kernels of its
-- own; output plane (i − 1)·depthwiseMultiplier + m is input plane i with kernel m. weight is
-- depthwiseMultiplier×(nInputPlane·kH·kW), bias depthwiseMultiplier×nInputPlane, both
-- U(−1/sqrt(kW·kH·nInputPlane), ...). The kernel is ATen's grouped convolution.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local sqrt, format = math.sqrt, string.format
local SpatialDepthWiseConvolution, parent = torch.class("nn.SpatialDepthWiseConvolution", "nn.Module")

SpatialDepthWiseConvolution.__version = 2

local NO_DILATION, NO_ADJ = { 1, 1 }, { 0, 0 }

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

function SpatialDepthWiseConvolution:noBias()
  self.bias = nil
  self.gradBias = nil
  return self
end

function SpatialDepthWiseConvolution:reset(stdv)
  if stdv then
    stdv = stdv * sqrt(3)
  else
    stdv = 1 / sqrt(self.kW * self.kH * self.nInputPlane)
  end
  self.weight:uniform(-stdv, stdv)
  if self.bias then self.bias:uniform(-stdv, stdv) end
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, 4, 3)
  if input:size(d - 2) ~= self.nInputPlane then
    error(format("%s: size mismatch: input has %d planes (size %s), expected %d", torch.type(self),
      input:size(d - 2), table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
  end
end

-- a parameter multiplier-major (m, i, ...) as ATen's input-major grouped layout (i, m, ...)
local function grouped(t, self, ...)
  return t:view(self.depthwiseMultiplier, self.nInputPlane, ...):transpose(1, 2):contiguous()
end

local function weight4(self)
  return grouped(self.weight, self, self.kH, self.kW):view(self.nOutputPlane, 1, self.kH, self.kW)
end

function SpatialDepthWiseConvolution:updateOutput(input)
  check_input(self, input)
  local x, unbatched = K.batched(input, 4)
  local bias = self.bias and grouped(self.bias, self):view(self.nOutputPlane)
  local h = call("convolution", x, weight4(self)._h, bias and bias._h or nil, { self.dH, self.dW },
    { self.padH, self.padW }, NO_DILATION, false, NO_ADJ, self.nInputPlane)
  K.release(x, unbatched)
  K.take(self.output, h, unbatched)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  check_input(self, input)
  local x, unbatched = K.batched(input, 4)
  local go, gunbatched = K.batched(gradOutput, 4)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go, x, weight4(self)._h,
    wantBias and { self.nOutputPlane } or nil, { self.dH, self.dW }, { self.padH, self.padW }, NO_DILATION,
    false, NO_ADJ, self.nInputPlane, { wantInput, wantParams, wantBias })
  K.release(x, unbatched)
  K.release(go, gunbatched)
  if wantInput then K.take(self.gradInput, gi, unbatched) else K.free(gi) end
  -- back from input-major (i, m) to the parameters' multiplier-major layout
  local mult, nIn = self.depthwiseMultiplier, self.nInputPlane
  if wantParams then
    local g = self.weight.new()
    K.take(g, gw)
    -- THNN leaves gradWeight resized to mult×nIn×kH×kW (same elements, same storage)
    self.gradWeight:resize(mult, nIn, self.kH, self.kW)
    self.gradWeight:add(scale, g:view(nIn, mult, self.kH, self.kW):transpose(1, 2))
  else
    K.free(gw)
  end
  if wantBias then
    local g = self.weight.new()
    K.take(g, gb)
    self.gradBias:add(scale, g:view(nIn, mult):t())
  else
    K.free(gb)
  end
end

K.install_backward(SpatialDepthWiseConvolution, backward)

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
  local s = format("%s(%d -> %d, %dx%d", torch.type(self), self.nInputPlane, self.depthwiseMultiplier,
    self.kW, self.kH)
  if self.dW ~= 1 or self.dH ~= 1 or self.padW ~= 0 or self.padH ~= 0 then
    s = s .. format(", %d,%d", self.dW, self.dH)
  end
  if (self.padW or self.padH) and (self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padW .. "," .. self.padH
  end
  if self.bias then return s .. ")" end
  return s .. ") without bias"
end

return SpatialDepthWiseConvolution
