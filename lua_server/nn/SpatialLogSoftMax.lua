-- nn.SpatialLogSoftMax: log-softmax over the planes at every pixel: dimension 1 of a
-- C x H x W input, dimension 2 of N x C x H x W (Torch7 ran THNN's LogSoftMax here).
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local call = aten.call
local SpatialLogSoftMax = torch.class("nn.SpatialLogSoftMax", "nn.Module")

local function planeDim(input)
  local d = input:dim()
  if d == 3 then return 0 end
  if d == 4 then return 1 end
  error(string.format("nn.SpatialLogSoftMax: 3D or 4D (batch mode) tensor expected for input, got a %dD tensor", d), 3)
end

function SpatialLogSoftMax:updateOutput(input)
  local dim = planeDim(input)
  self.output:resizeAs(input)
  call("_log_softmax.out", input._h, dim, false, self.output._h)
  return self.output
end

function SpatialLogSoftMax:updateGradInput(input, gradOutput)
  local dim = planeDim(input)
  self.gradInput:resizeAs(input)
  call("_log_softmax_backward_data.out", gradOutput:contiguous()._h, self.output._h, dim,
    core.info(self.output).dtype, self.gradInput._h)
  return self.gradInput
end

return SpatialLogSoftMax
