-- nn.LogSoftMax: x_i - log sum_j exp(x_j) over the features (the dimension nn.SoftMax
-- uses: last of 1-D/2-D input, C of 3-D/4-D input).
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
require "nn.SoftMax"
local one_thread = require "torch.one_thread"
-- below ATen's grain size the kernel runs on one thread (see torch/one_thread.lua)
local SMALL = 32768
local run = aten.run
local LogSoftMax, parent = torch.class("nn.LogSoftMax", "nn.Module")

function LogSoftMax:updateOutput(input)
  local dim = nn.SoftMax.featureDim(input, torch.type(self))
  self.output:resizeAs(input)
  one_thread.run(input:nElement(), SMALL, run, "_log_softmax.out", input._h, dim, false,
    self.output._h)
  return self.output
end

function LogSoftMax:updateGradInput(input, gradOutput)
  local dim = nn.SoftMax.featureDim(input, torch.type(self))
  self.gradInput:resizeAs(input)
  one_thread.run(input:nElement(), SMALL, run, "_log_softmax_backward_data.out",
    gradOutput:contiguous()._h, self.output._h, dim, core.info(self.output).dtype,
    self.gradInput._h)
  return self.gradInput
end

return LogSoftMax
