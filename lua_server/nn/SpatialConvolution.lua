-- nn.SpatialConvolution(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0, padH=padW]):
-- 2-D convolution of C×H×W or N×C×H×W input. weight is nOutputPlane×nInputPlane×kH×kW
-- (a legacy 2-D nOutputPlane×(nInputPlane·kH·kW) weight is read through a view). The kernel
-- is ATen's convolution / convolution_backward; SpatialConvolutionMM and
-- SpatialDilatedConvolution (dilationW, dilationH) share these methods.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local floor, sqrt, format = math.floor, math.sqrt, string.format
local error, type = error, type
local SpatialConvolution, parent = torch.class("nn.SpatialConvolution", "nn.Module")

local NO_ADJ = { 0, 0 }

local function check_count(cname, name, v, min)
  if type(v) ~= "number" or v ~= floor(v) or v < min then
    error(format("%s: %s must be an integer >= %d, got %s", cname, name, min, tostring(v)), 4)
  end
end
SpatialConvolution._check_count = check_count

function SpatialConvolution:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  local cname = torch.type(self)
  check_count(cname, "nInputPlane", nInputPlane, 1)
  check_count(cname, "nOutputPlane", nOutputPlane, 1)
  check_count(cname, "kW", kW, 1)
  check_count(cname, "kH", kH, 1)
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

function SpatialConvolution:noBias()
  self.bias = nil
  self.gradBias = nil
  return self
end

-- U(-stdv, stdv), weight then bias, stdv = 1/sqrt(kW·kH·nInputPlane) as Torch7 draws them
function SpatialConvolution:reset(stdv)
  if stdv then
    stdv = stdv * sqrt(3)
  else
    stdv = 1 / sqrt(self.kW * self.kH * self.nInputPlane)
  end
  self.weight:uniform(-stdv, stdv)
  if self.bias then self.bias:uniform(-stdv, stdv) end
  return self
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

-- the weight as an nOutputPlane×nInputPlane×kH×kW handle; true when it is a new handle
local function weight4(self)
  local w = self.weight
  if w:dim() == 4 then return w._h, false end
  return call("reshape", w._h, { self.nOutputPlane, self.nInputPlane, self.kH, self.kW }), true
end

-- stride, padding and dilation in ATen's (H, W) order
local function geometry(self)
  return { self.dH, self.dW }, { self.padH, self.padW }, { self.dilationH or 1, self.dilationW or 1 }
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, 4, 3)
  local planes, iH, iW = input:size(d - 2), input:size(d - 1), input:size(d)
  if planes ~= self.nInputPlane then
    error(format("%s: input has %d planes (size %s), expected %d", torch.type(self), planes,
      table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
  end
  local dilH, dilW = self.dilationH or 1, self.dilationW or 1
  local oH = floor((iH + 2 * self.padH - (dilH * (self.kH - 1) + 1)) / self.dH) + 1
  local oW = floor((iW + 2 * self.padW - (dilW * (self.kW - 1) + 1)) / self.dW) + 1
  if oH < 1 or oW < 1 then
    error(format("%s: given input size (%dx%dx%d), the calculated output size (%dx%dx%d) is too small",
      torch.type(self), planes, iH, iW, self.nOutputPlane, oH, oW), 3)
  end
end

function SpatialConvolution:updateOutput(input)
  backCompatibility(self)
  check_input(self, input)
  local x, unbatched = K.batched(input, 4)
  local w, wnew = weight4(self)
  local stride, pad, dil = geometry(self)
  local h = call("convolution", x, w, self.bias and self.bias._h or nil, stride, pad, dil, false, NO_ADJ, 1)
  K.release(x, unbatched)
  K.release(w, wnew)
  K.take(self.output, h, unbatched)
  return self.output
end

-- one convolution_backward for whichever of gradInput / gradWeight / gradBias is wanted
local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  backCompatibility(self)
  check_input(self, input)
  local x, unbatched = K.batched(input, 4)
  local go, gunbatched = K.batched(gradOutput, 4)
  local w, wnew = weight4(self)
  local stride, pad, dil = geometry(self)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go, x, w,
    wantBias and { self.nOutputPlane } or nil, stride, pad, dil, false, NO_ADJ, 1,
    { wantInput, wantParams, wantBias })
  K.release(x, unbatched)
  K.release(go, gunbatched)
  K.release(w, wnew)
  if wantInput then K.take(self.gradInput, gi, unbatched) else K.free(gi) end
  if wantParams then K.accumulate(self.gradWeight, gw, scale) else K.free(gw) end
  if wantBias then K.accumulate(self.gradBias, gb, scale) else K.free(gb) end
end

K.install_backward(SpatialConvolution, backward)

K.install_buffers(SpatialConvolution, parent)

function SpatialConvolution:__tostring__()
  local s = format("%s(%d -> %d, %dx%d", torch.type(self), self.nInputPlane, self.nOutputPlane,
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

return SpatialConvolution
