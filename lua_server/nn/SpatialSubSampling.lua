-- nn.SpatialSubSampling(nInputPlane, kW, kH [, dW=1, dH=1]): for each plane, the sum of
-- every kW×kH window times that plane's weight, plus its bias (LeNet's subsampling layer).
-- weight and bias hold one number per plane; they start U(−1/sqrt(kW·kH), 1/sqrt(kW·kH)).
-- The kernel is ATen's grouped convolution with each plane's weight spread over the window.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local P = require "nn.parameters"

local call = aten.call
local format = string.format
local SpatialSubSampling, parent = torch.class("nn.SpatialSubSampling", "nn.Module")

local NO_DILATION, NO_PAD, NO_ADJ = { 1, 1 }, { 0, 0 }, { 0, 0 }

function SpatialSubSampling:__init(nInputPlane, kW, kH, dW, dH)
  parent.__init(self)
  self.nInputPlane = nInputPlane
  self.kW = kW
  self.kH = kH
  self.dW = dW or 1
  self.dH = dH or 1
  self.weight = torch.Tensor(nInputPlane)
  self.bias = torch.Tensor(nInputPlane)
  self.gradWeight = torch.Tensor(nInputPlane)
  self.gradBias = torch.Tensor(nInputPlane)
  self:reset()
end

function SpatialSubSampling:reset(stdv)
  P.reset_uniform(self, stdv, self.kW * self.kH)
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, 4, 3)
  if input:size(d - 2) ~= self.nInputPlane then
    error(format("%s: size mismatch: input has %d planes (size %s), expected %d", torch.type(self),
      input:size(d - 2), table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
  end
  if input:size(d - 1) < self.kH or input:size(d) < self.kW then
    error(format("%s: input image (%dx%d) smaller than kernel size (%dx%d)", torch.type(self),
      input:size(d - 1), input:size(d), self.kH, self.kW), 3)
  end
end

-- the per-plane weight as a grouped-convolution kernel nInputPlane×1×kH×kW
local function kernel(self)
  return self.weight:view(self.nInputPlane, 1, 1, 1):expand(self.nInputPlane, 1, self.kH, self.kW):contiguous()
end

function SpatialSubSampling:updateOutput(input)
  check_input(self, input)
  local x, unbatched = K.batched(input, 4)
  local h = call("convolution", x, kernel(self)._h, self.bias._h, { self.dH, self.dW }, NO_PAD,
    NO_DILATION, false, NO_ADJ, self.nInputPlane)
  K.release(x, unbatched)
  K.take(self.output, h, unbatched)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  check_input(self, input)
  local x, unbatched = K.batched(input, 4)
  local go, gunbatched = K.batched(gradOutput, 4)
  local w = kernel(self)
  local gi, gw, gb = call("convolution_backward", go, x, w._h, { self.nInputPlane }, { self.dH, self.dW },
    NO_PAD, NO_DILATION, false, NO_ADJ, self.nInputPlane, { wantInput, wantParams, wantParams })
  K.release(x, unbatched)
  K.release(go, gunbatched)
  if wantInput then K.take(self.gradInput, gi, unbatched) else K.free(gi) end
  if wantParams then
    local full = w.new()
    K.take(full, gw)
    self.gradWeight:add(scale, full:view(self.nInputPlane, -1):sum(2):view(self.nInputPlane))
    K.accumulate(self.gradBias, gb, scale)
  else
    K.free(gw, gb)
  end
end

K.install_backward(SpatialSubSampling, backward)

return SpatialSubSampling
