-- nn.SoftMax: exp(x_i) / sum_j exp(x_j) over the features: the only dimension of 1-D
-- input, dimension 2 of 2-D (batch x features), dimension 1 of 3-D (C x H x W) and
-- dimension 2 of 4-D input.
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local one_thread = require "torch.one_thread"
-- below ATen's grain size the kernel runs on one thread (see torch/one_thread.lua)
local SMALL = 32768
local run = aten.run
local SoftMax, parent = torch.class("nn.SoftMax", "nn.Module")

-- the 0-based ATen dimension Torch7's softmaxes normalize over
function SoftMax.featureDim(input, name)
  local d = input:dim()
  if d == 1 or d == 3 then return 0 end
  if d == 2 or d == 4 then return 1 end
  error(string.format("%s: vector, matrix, 3D or 4D tensor expected, got a %dD tensor", name, d), 3)
end

function SoftMax:updateOutput(input)
  local dim = SoftMax.featureDim(input, torch.type(self))
  self.output:resizeAs(input)
  one_thread.run(input:nElement(), SMALL, run, "_softmax.out", input._h, dim, false,
    self.output._h)
  return self.output
end

function SoftMax:updateGradInput(input, gradOutput)
  local dim = SoftMax.featureDim(input, torch.type(self))
  self.gradInput:resizeAs(input)
  one_thread.run(input:nElement(), SMALL, run, "_softmax_backward_data.out",
    gradOutput:contiguous()._h, self.output._h, dim, core.info(self.output).dtype,
    self.gradInput._h)
  return self.gradInput
end

return SoftMax
