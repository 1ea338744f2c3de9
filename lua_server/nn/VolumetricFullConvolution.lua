-- nn.VolumetricFullConvolution(nInputPlane, nOutputPlane, kT, kW, kH [, dT=1, dW=1, dH=1,
-- padT=0, padW=0, padH=0, adjT=0, adjW=0, adjH=0]): the transposed 3-D convolution; weight
-- is nInputPlane×nOutputPlane×kT×kH×kW, output size (in − 1)·d − 2·pad + k + adj. The input
-- may be the table {input, target}: adj is then chosen so the output matches target's size.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local SpatialConvolution = require "nn.SpatialConvolution"

local call = aten.call
local sqrt, format = math.sqrt, string.format
local type, error, unpack = type, error, unpack
local VolumetricFullConvolution, parent = torch.class("nn.VolumetricFullConvolution", "nn.Module")

local NO_DILATION = { 1, 1, 1 }

function VolumetricFullConvolution:__init(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH,
                                          padT, padW, padH, adjT, adjW, adjH)
  parent.__init(self)
  local cname, check = torch.type(self), SpatialConvolution._check_count
  check(cname, "nInputPlane", nInputPlane, 1)
  check(cname, "nOutputPlane", nOutputPlane, 1)
  check(cname, "kT", kT, 1)
  check(cname, "kW", kW, 1)
  check(cname, "kH", kH, 1)
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

function VolumetricFullConvolution:noBias()
  self.bias = nil
  self.gradBias = nil
  return self
end

function VolumetricFullConvolution:reset(stdv)
  if stdv then
    stdv = stdv * sqrt(3)
  else
    stdv = 1 / sqrt(self.kT * self.kW * self.kH * self.nInputPlane)
  end
  self.weight:uniform(-stdv, stdv)
  if self.bias then self.bias:uniform(-stdv, stdv) end
  return self
end

local function calculateAdj(targetSize, ker, pad, stride)
  return (targetSize + 2 * pad - ker) % stride
end

-- the input tensor and the (adjT, adjH, adjW) to use: from the fields or from a target's size
local function unpack_input(self, input)
  if type(input) == "table" then
    local target = input[2]
    local td = target:dim()
    return input[1], { calculateAdj(target:size(td - 2), self.kT, self.padT, self.dT),
      calculateAdj(target:size(td - 1), self.kH, self.padH, self.dH),
      calculateAdj(target:size(td), self.kW, self.padW, self.dW) }
  end
  return input, { self.adjT, self.adjH, self.adjW }
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, 5, 3)
  if input:size(d - 3) ~= self.nInputPlane then
    error(format("%s: input has %d planes (size %s), expected %d", torch.type(self), input:size(d - 3),
      table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
  end
end

local function geometry(self)
  return { self.dT, self.dH, self.dW }, { self.padT, self.padH, self.padW }
end

function VolumetricFullConvolution:updateOutput(input)
  local x, adj = unpack_input(self, input)
  check_input(self, x)
  local xb, unbatched = K.batched(x, 5)
  local stride, pad = geometry(self)
  local h = call("convolution", xb, self.weight._h, self.bias and self.bias._h or nil,
    stride, pad, NO_DILATION, true, adj, 1)
  K.release(xb, unbatched)
  K.take(self.output, h, unbatched)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  local x, adj = unpack_input(self, input)
  check_input(self, x)
  local xb, unbatched = K.batched(x, 5)
  local go, gunbatched = K.batched(gradOutput, 5)
  local stride, pad = geometry(self)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go, xb, self.weight._h,
    wantBias and { self.nOutputPlane } or nil, stride, pad, NO_DILATION, true, adj, 1,
    { wantInput, wantParams, wantBias })
  K.release(xb, unbatched)
  K.release(go, gunbatched)
  if wantInput then
    if type(self.gradInput) == "table" then self.gradInput = self.gradInput[1] or x.new() end
    K.take(self.gradInput, gi, unbatched)
    if type(input) == "table" then
      -- the target only gives a size: its gradient is one zero expanded to its shape
      self.zeroScalar = self.zeroScalar or input[2].new(1):zero()
      self.ones:resize(input[2]:dim()):fill(1)
      local zero = self.zeroScalar:view(unpack(self.ones:totable())):expandAs(input[2])
      self.gradInput = { self.gradInput, zero }
    end
  else
    K.free(gi)
  end
  if wantParams then K.accumulate(self.gradWeight, gw, scale) else K.free(gw) end
  if wantBias then K.accumulate(self.gradBias, gb, scale) else K.free(gb) end
end

K.install_backward(VolumetricFullConvolution, backward)

K.install_buffers(VolumetricFullConvolution, parent)

function VolumetricFullConvolution:__tostring__()
  local s = format("%s(%d -> %d, %dx%dx%d", torch.type(self), self.nInputPlane, self.nOutputPlane,
    self.kT, self.kW, self.kH)
  if self.dT ~= 1 or self.dW ~= 1 or self.dH ~= 1 or self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0 then
    s = s .. format(", %d,%d,%d", self.dT, self.dW, self.dH)
  end
  if (self.padT or self.padW or self.padH) and (self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padT .. "," .. self.padW .. "," .. self.padH
  end
  if (self.adjT or self.adjW or self.adjH) and (self.adjT ~= 0 or self.adjW ~= 0 or self.adjH ~= 0) then
    s = s .. ", " .. self.adjT .. "," .. self.adjW .. "," .. self.adjH
  end
  if self.bias then return s .. ")" end
  return s .. ") without bias"
end

return VolumetricFullConvolution
