-- nn.TemporalSubSampling(inputFrameSize, kW [, dW=1]): for each feature of nInputFrame×
-- inputFrameSize (or N×nInputFrame×inputFrameSize) input, the sum over each window of kW
-- frames times that feature's weight, plus its bias. weight and bias start
-- U(−1/sqrt(kW), 1/sqrt(kW)). The kernel is ATen's grouped 1-D convolution.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local P = require "nn.parameters"
local Seq = require "nn.sequence"

local call = aten.call
local format = string.format
local TemporalSubSampling, parent = torch.class("nn.TemporalSubSampling", "nn.Module")

function TemporalSubSampling:__init(inputFrameSize, kW, dW)
  parent.__init(self)
  self.inputFrameSize = inputFrameSize
  self.kW = kW
  self.dW = dW or 1
  self.weight = torch.Tensor(inputFrameSize)
  self.bias = torch.Tensor(inputFrameSize)
  self.gradWeight = torch.Tensor(inputFrameSize)
  self.gradBias = torch.Tensor(inputFrameSize)
  self:reset()
end

function TemporalSubSampling:reset(stdv)
  P.reset_uniform(self, stdv, self.kW)
end

-- the input as N×inputFrameSize×nInputFrame (a view) and whether it had no batch dimension
local function channels_first(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = Seq.check_dims(self, input, 3)
  if input:size(d) ~= self.inputFrameSize then
    error(format("%s: size mismatch: input frames have %d features (size %s), expected %d", torch.type(self),
      input:size(d), table.concat(input:size():totable(), "x"), self.inputFrameSize), 3)
  end
  if input:size(d - 1) < self.kW then
    error(format("%s: input sequence smaller than kernel size (%d < %d)", torch.type(self),
      input:size(d - 1), self.kW), 3)
  end
  return Seq.channels_first(input)
end

local function kernel(self)
  local F = self.inputFrameSize
  return self.weight:view(F, 1, 1):expand(F, 1, self.kW):contiguous()
end

function TemporalSubSampling:updateOutput(input)
  local x, unbatched = channels_first(self, input)
  local y = input.new()
  K.take(y, call("convolution", x._h, kernel(self)._h, self.bias._h, { self.dW }, { 0 }, { 1 }, false, { 0 },
    self.inputFrameSize))
  y = Seq.layout_back(y, unbatched)
  self.output:resizeAs(y):copy(y)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  local x, unbatched = channels_first(self, input)
  local go = Seq.channels_first(gradOutput)
  local w = kernel(self)
  local gi, gw, gb = call("convolution_backward", go._h, x._h, w._h, { self.inputFrameSize }, { self.dW },
    { 0 }, { 1 }, false, { 0 }, self.inputFrameSize, { wantInput, wantParams, wantParams })
  if wantInput then
    local g = input.new()
    K.take(g, gi)
    g = Seq.layout_back(g, unbatched)
    self.gradInput:resizeAs(g):copy(g)
  else
    K.free(gi)
  end
  if wantParams then
    local full = w.new()
    K.take(full, gw)
    self.gradWeight:add(scale, full:view(self.inputFrameSize, self.kW):sum(2):view(self.inputFrameSize))
    K.accumulate(self.gradBias, gb, scale)
  else
    K.free(gw, gb)
  end
end

K.install_backward(TemporalSubSampling, backward)

return TemporalSubSampling
