-- nn.VolumetricConvolution(nInputPlane, nOutputPlane, kT, kW, kH [, dT=1, dW=1, dH=1,
-- padT=0, padW=padT, padH=padW]): 3-D convolution of C×T×H×W or N×C×T×H×W input; weight is
-- nOutputPlane×nInputPlane×kT×kH×kW.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local SpatialConvolution = require "nn.SpatialConvolution"

local call = aten.call
local sqrt, format = math.sqrt, string.format
local error = error
local VolumetricConvolution, parent = torch.class("nn.VolumetricConvolution", "nn.Module")

local NO_ADJ = { 0, 0, 0 }

function VolumetricConvolution:__init(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH, padT, padW, padH)
  parent.__init(self)
  local cname, check = torch.type(self), SpatialConvolution._check_count
  check(cname, "nInputPlane", nInputPlane, 1)
  check(cname, "nOutputPlane", nOutputPlane, 1)
  check(cname, "kT", kT, 1)
  check(cname, "kW", kW, 1)
  check(cname, "kH", kH, 1)
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
  if stdv then
    stdv = stdv * sqrt(3)
  else
    stdv = 1 / sqrt(self.kT * self.kW * self.kH * self.nInputPlane)
  end
  self.weight:uniform(-stdv, stdv)
  if self.bias then self.bias:uniform(-stdv, stdv) end
  return self
end

function VolumetricConvolution:noBias()
  self.bias = nil
  self.gradBias = nil
  return self
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, 5, 3)
  if input:size(d - 3) ~= self.nInputPlane then
    error(format("%s: input has %d planes (size %s), expected %d", torch.type(self), input:size(d - 3),
      table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
  end
end

-- stride, padding and dilation (the subclass VolumetricDilatedConvolution sets dilation*)
local function geometry(self)
  return { self.dT, self.dH, self.dW }, { self.padT, self.padH, self.padW },
    { self.dilationT or 1, self.dilationH or 1, self.dilationW or 1 }
end

-- the weight as a 5-D handle (cunn-era models may hold it as nOutputPlane×(nInputPlane·kT·kH·kW))
local function weight5(self)
  local w = self.weight
  if w:dim() == 5 then return w._h, false end
  return call("reshape", w._h, { self.nOutputPlane, self.nInputPlane, self.kT, self.kH, self.kW }), true
end

function VolumetricConvolution:updateOutput(input)
  check_input(self, input)
  local x, unbatched = K.batched(input, 5)
  local w, wnew = weight5(self)
  local stride, pad, dilation = geometry(self)
  local h = call("convolution", x, w, self.bias and self.bias._h or nil, stride, pad, dilation,
    false, NO_ADJ, 1)
  K.release(x, unbatched)
  K.release(w, wnew)
  K.take(self.output, h, unbatched)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  check_input(self, input)
  local x, unbatched = K.batched(input, 5)
  local go, gunbatched = K.batched(gradOutput, 5)
  local w, wnew = weight5(self)
  local stride, pad, dilation = geometry(self)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go, x, w, wantBias and { self.nOutputPlane } or nil,
    stride, pad, dilation, false, NO_ADJ, 1, { wantInput, wantParams, wantBias })
  K.release(x, unbatched)
  K.release(go, gunbatched)
  K.release(w, wnew)
  if wantInput then K.take(self.gradInput, gi, unbatched) else K.free(gi) end
  if wantParams then K.accumulate(self.gradWeight, gw, scale) else K.free(gw) end
  if wantBias then K.accumulate(self.gradBias, gb, scale) else K.free(gb) end
end

K.install_backward(VolumetricConvolution, backward)

K.install_buffers(VolumetricConvolution, parent)

function VolumetricConvolution:__tostring__()
  local s = format("%s(%d -> %d, %dx%dx%d", torch.type(self), self.nInputPlane, self.nOutputPlane,
    self.kT, self.kW, self.kH)
  if self.dT ~= 1 or self.dW ~= 1 or self.dH ~= 1 or
      self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0 then
    s = s .. format(", %d,%d,%d", self.dT, self.dW, self.dH)
  end
  if (self.padT or self.padW or self.padH) and
      (self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padT .. "," .. self.padW .. "," .. self.padH
  end
  return s .. ")"
end

return VolumetricConvolution
