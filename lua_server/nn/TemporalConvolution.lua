-- nn.TemporalConvolution(inputFrameSize, outputFrameSize, kW [, dW=1]): 1-D convolution over
-- a sequence, input nInputFrame×inputFrameSize or nBatch×nInputFrame×inputFrameSize, output
-- nOutputFrame×outputFrameSize with nOutputFrame = (nInputFrame − kW)/dW + 1. weight is
-- outputFrameSize×(kW·inputFrameSize): row o holds the kW frames of a window one after the
-- other, as Torch7 lays it out.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Seq = require "nn.sequence"

local call = aten.call
local format = string.format
local error = error
local TemporalConvolution, parent = torch.class("nn.TemporalConvolution", "nn.Module")

local NO_PAD, NO_DILATION = { 0 }, { 1 }

function TemporalConvolution:__init(inputFrameSize, outputFrameSize, kW, dW)
  parent.__init(self)
  G.check_sizes(self, "inputFrameSize", inputFrameSize, "outputFrameSize", outputFrameSize, "kW", kW)
  self.inputFrameSize = inputFrameSize
  self.outputFrameSize = outputFrameSize
  self.kW = kW
  self.dW = dW or 1
  self.weight = torch.Tensor(outputFrameSize, inputFrameSize * kW)
  self.bias = torch.Tensor(outputFrameSize)
  self.gradWeight = torch.Tensor(outputFrameSize, inputFrameSize * kW)
  self.gradBias = torch.Tensor(outputFrameSize)
  self:reset()
end

function TemporalConvolution:reset(stdv)
  return P.reset_uniform(self, stdv, self.kW * self.inputFrameSize)
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = Seq.check_dims(self, input, 3)
  if input:size(d) ~= self.inputFrameSize then
    error(format("%s: invalid input frame size: got %d, expected %d", torch.type(self),
      input:size(d), self.inputFrameSize), 3)
  end
  if input:size(d - 1) < self.kW then
    error(format("%s: input sequence (%d frames) is smaller than the kernel size (%d)",
      torch.type(self), input:size(d - 1), self.kW), 3)
  end
end

-- ATen's conv1d wants N×C×T input and out×in×kW weights: both are transposed views of ours
local function as_conv1d(self, input)
  local x, unbatched = K.batched(input, 3)
  local xt = call("transpose.int", x, 1, 2)
  K.release(x, unbatched)
  local w = call("view", self.weight:contiguous()._h, { self.outputFrameSize, self.kW, self.inputFrameSize })
  local wt = call("transpose.int", w, 1, 2)
  K.free(w)
  return xt, wt, unbatched
end

-- result N×out×T' (a conv1d layout) into t as a contiguous [N×]T'×out tensor
local function take_frames(t, h, unbatched)
  local ht = call("transpose.int", h, 1, 2)
  local hc = call("contiguous", ht)
  K.free(h, ht)
  K.take(t, hc, unbatched)
end

function TemporalConvolution:updateOutput(input)
  check_input(self, input)
  local x, w, unbatched = as_conv1d(self, input)
  local h = call("convolution", x, w, self.bias._h, { self.dW }, NO_PAD, NO_DILATION, false, NO_PAD, 1)
  K.free(x, w)
  take_frames(self.output, h, unbatched)
  return self.output
end

local function backward(self, input, gradOutput, scale, wantInput, wantParams)
  check_input(self, input)
  local x, w, unbatched = as_conv1d(self, input)
  local go, gunbatched = K.batched(gradOutput, 3)
  local got = call("transpose.int", go, 1, 2)
  K.release(go, gunbatched)
  local gi, gw, gb = call("convolution_backward", got, x, w, wantParams and { self.outputFrameSize } or nil,
    { self.dW }, NO_PAD, NO_DILATION, false, NO_PAD, 1, { wantInput, wantParams, wantParams })
  K.free(x, w, got)
  if wantInput then take_frames(self.gradInput, gi, unbatched) else K.free(gi) end
  if wantParams then
    -- out×in×kW back to Torch7's out×(kW·in)
    local gwt = call("transpose.int", gw, 1, 2)
    local gwc = call("contiguous", gwt)
    K.free(gw, gwt)
    K.accumulate(self.gradWeight, gwc, scale)
    K.accumulate(self.gradBias, gb, scale)
  else
    K.free(gw, gb)
  end
end

K.install_backward(TemporalConvolution, backward)

-- we do not need to accumulate parameters when sharing
TemporalConvolution.sharedAccUpdateGradParameters = TemporalConvolution.accUpdateGradParameters

return TemporalConvolution
