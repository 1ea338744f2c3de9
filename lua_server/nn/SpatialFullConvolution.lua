-- nn.SpatialFullConvolution(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0, padH=0,
-- adjW=0, adjH=0]): the transposed ("full", "deconvolution") 2-D convolution. weight is
-- nInputPlane×nOutputPlane×kH×kW; output size (in − 1)·d − 2·pad + k + adj. The input may be
-- the table {input, target}: adjW/adjH are then chosen so the output matches target's size.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local SpatialConvolution = require "nn.SpatialConvolution"

local call = aten.call
local sqrt, format = math.sqrt, string.format
local type, error, unpack = type, error, unpack
local SpatialFullConvolution, parent = torch.class("nn.SpatialFullConvolution", "nn.Module")

local NO_DILATION = { 1, 1 }

function SpatialFullConvolution:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH, adjW, adjH)
  parent.__init(self)
  local cname, check = torch.type(self), SpatialConvolution._check_count
  check(cname, "nInputPlane", nInputPlane, 1)
  check(cname, "nOutputPlane", nOutputPlane, 1)
  check(cname, "kW", kW, 1)
  check(cname, "kH", kH, 1)
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

function SpatialFullConvolution:noBias()
  self.bias = nil
  self.gradBias = nil
  return self
end

function SpatialFullConvolution:reset(stdv)
  if stdv then
    stdv = stdv * sqrt(3)
  else
    stdv = 1 / sqrt(self.kW * self.kH * self.nInputPlane)
  end
  self.weight:uniform(-stdv, stdv)
  if self.bias then self.bias:uniform(-stdv, stdv) end
  return self
end

local function calculateAdj(targetSize, ker, pad, stride)
  return (targetSize + 2 * pad - ker) % stride
end

-- the input tensor and the (adjH, adjW) to use: from the fields, or from a target's size
local function unpack_input(self, input)
  self.adjW, self.adjH = self.adjW or 0, self.adjH or 0
  if type(input) == "table" then
    local target = input[2]
    local td = target:dim()
    return input[1], { calculateAdj(target:size(td - 1), self.kH, self.padH, self.dH),
      calculateAdj(target:size(td), self.kW, self.padW, self.dW) }
  end
  return input, { self.adjH, self.adjW }
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, 4, 3)
  if input:size(d - 2) ~= self.nInputPlane then
    error(format("%s: input has %d planes (size %s), expected %d", torch.type(self), input:size(d - 2),
      table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
  end
end

function SpatialFullConvolution:updateOutput(input)
  local x, adj = unpack_input(self, input)
  check_input(self, x)
  local xb, unbatched = K.batched(x, 4)
  local h = call("convolution", xb, self.weight._h, self.bias and self.bias._h or nil,
    { self.dH, self.dW }, { self.padH, self.padW }, NO_DILATION, true, adj, 1)
  K.release(xb, unbatched)
  K.take(self.output, h, unbatched)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  local x, adj = unpack_input(self, input)
  check_input(self, x)
  local xb, unbatched = K.batched(x, 4)
  local go, gunbatched = K.batched(gradOutput, 4)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go, xb, self.weight._h,
    wantBias and { self.nOutputPlane } or nil, { self.dH, self.dW }, { self.padH, self.padW },
    NO_DILATION, true, adj, 1, { wantInput, wantParams, wantBias })
  K.release(xb, unbatched)
  K.release(go, gunbatched)
  if wantInput then
    if type(self.gradInput) == "table" then self.gradInput = self.gradInput[1] or x.new() end
    K.take(self.gradInput, gi, unbatched)
    if type(input) == "table" then
      -- the target only gives a size: its gradient is a zero tensor of its shape
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

K.install_backward(SpatialFullConvolution, backward)

K.install_buffers(SpatialFullConvolution, parent)

function SpatialFullConvolution:__tostring__()
  local s = format("%s(%d -> %d, %dx%d", torch.type(self), self.nInputPlane, self.nOutputPlane,
    self.kW, self.kH)
  if self.dW ~= 1 or self.dH ~= 1 or self.padW ~= 0 or self.padH ~= 0 then
    s = s .. format(", %d,%d", self.dW, self.dH)
  end
  if (self.padW or self.padH) and (self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padW .. "," .. self.padH
  end
  if (self.adjW or self.adjH) and (self.adjW ~= 0 or self.adjH ~= 0) then
    s = s .. ", " .. self.adjW .. "," .. self.adjH
  end
  if self.bias then return s .. ")" end
  return s .. ") without bias"
end

return SpatialFullConvolution
