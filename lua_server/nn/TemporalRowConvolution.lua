-- nn.TemporalRowConvolution(inputFrameSize, kW [, dW=1, featFirst=false]): each feature
-- (row) of the sequence is convolved with its own kW-tap kernel (a depthwise 1-D
-- convolution). Input nInputFrame×inputFrameSize (N×... in batch), or with featFirst
-- inputFrameSize×nInputFrame; the output keeps the input's layout. weight is
-- inputFrameSize×1×kW, bias inputFrameSize, both U(−1/sqrt(kW·inputFrameSize), ...).
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local P = require "nn.parameters"
local Seq = require "nn.sequence"

local call = aten.call
local format = string.format
local TemporalRowConvolution, parent = torch.class("nn.TemporalRowConvolution", "nn.Module")

function TemporalRowConvolution:__init(inputFrameSize, kW, dW, featFirst)
  parent.__init(self)
  self.inputFrameSize = inputFrameSize
  self.kW = kW
  self.dW = dW or 1
  self.weight = torch.Tensor(inputFrameSize, 1, kW)
  self.bias = torch.Tensor(inputFrameSize)
  self.gradWeight = torch.Tensor(inputFrameSize, 1, kW)
  self.gradBias = torch.Tensor(inputFrameSize)
  -- true: input is (batch x) inputFrameSize x nInputFrame
  self.featFirst = featFirst and true or false
  self:reset()
end

P.install_noBias(TemporalRowConvolution)

function TemporalRowConvolution:reset(stdv)
  P.reset_uniform(self, stdv, self.kW * self.inputFrameSize)
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  Seq.check_dims(self, input, 3)
  local x, unbatched = Seq.channels_first(input, self.featFirst)
  if x:size(2) ~= self.inputFrameSize then
    error(format("%s: size mismatch: input has %d features (size %s), expected %d", torch.type(self),
      x:size(2), table.concat(input:size():totable(), "x"), self.inputFrameSize), 3)
  end
  if x:size(3) < self.kW then
    error(format("%s: input sequence smaller than kernel size (%d < %d)", torch.type(self), x:size(3), self.kW), 3)
  end
  return x, unbatched
end

function TemporalRowConvolution:updateOutput(input)
  local x, unbatched = check_input(self, input)
  local y = input.new()
  K.take(y, call("convolution", x._h, self.weight._h, self.bias and self.bias._h or nil, { self.dW }, { 0 },
    { 1 }, false, { 0 }, self.inputFrameSize))
  y = Seq.layout_back(y, unbatched, self.featFirst)
  self.output:resizeAs(y):copy(y)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  local x, unbatched = check_input(self, input)
  Seq.check_dims(self, gradOutput, 3)
  local go = Seq.channels_first(gradOutput, self.featFirst)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go._h, x._h, self.weight._h,
    wantBias and { self.inputFrameSize } or nil, { self.dW }, { 0 }, { 1 }, false, { 0 }, self.inputFrameSize,
    { wantInput, wantParams, wantBias })
  if wantInput then
    local g = input.new()
    K.take(g, gi)
    g = Seq.layout_back(g, unbatched, self.featFirst)
    self.gradInput:resizeAs(g):copy(g)
  else
    K.free(gi)
  end
  if wantParams then K.accumulate(self.gradWeight, gw, scale) else K.free(gw) end
  if wantBias then K.accumulate(self.gradBias, gb, scale) else K.free(gb) end
end

K.install_backward(TemporalRowConvolution, backward)

function TemporalRowConvolution:type(type_name, tensorCache)
  if self.finput then self.finput:set() end
  if self.fgradInput then self.fgradInput:set() end
  return parent.type(self, type_name, tensorCache)
end

function TemporalRowConvolution:clearState()
  nn.utils.clear(self, "finput", "fgradInput", "_input", "_gradOutput")
  return parent.clearState(self)
end

function TemporalRowConvolution:__tostring__()
  local s = format("%s(%d, %d", torch.type(self), self.inputFrameSize, self.kW)
  if self.dW ~= 1 then s = s .. format(", %d", self.dW) end
  if self.padW and self.padW ~= 0 then s = s .. ", " .. self.padW end
  if self.bias then return s .. ")" end
  return s .. ") without bias"
end

return TemporalRowConvolution
