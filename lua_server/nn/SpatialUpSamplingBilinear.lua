-- nn.SpatialUpSamplingBilinear(scale | {oheight=, owidth=}): bilinear upsampling of C×H×W or
-- N×C×H×W input with the corners aligned (THNN's single-precision source coordinates, see
-- nn.upsample_linear): output size scale·H × scale·W, or the given oheight×owidth.
local torch = require "torch"
local K = require "nn.kernels"
local linear = require "nn.upsample_linear"

local floor = math.floor
local SpatialUpSamplingBilinear, parent = torch.class("nn.SpatialUpSamplingBilinear", "nn.Module")

function SpatialUpSamplingBilinear:__init(params)
  parent.__init(self)
  self.owidth, self.oheight, self.scale_factor = nil, nil, nil
  if torch.type(params) == "table" then
    self.owidth, self.oheight = params.owidth, params.oheight
  else
    self.scale_factor = params
    if self.scale_factor < 1 then error("scale_factor must be greater than 1", 2) end
    if floor(self.scale_factor) ~= self.scale_factor then error("scale_factor must be integer", 2) end
  end
  self.inputSize = torch.LongStorage(4)
  self.outputSize = torch.LongStorage(4)
end

function SpatialUpSamplingBilinear:setSize(input)
  local d = input:dim()
  for i = 1, d do
    self.inputSize[i] = input:size(i)
    self.outputSize[i] = input:size(i)
  end
  if self.scale_factor then
    self.outputSize[d - 1] = input:size(d - 1) * self.scale_factor
    self.outputSize[d] = input:size(d) * self.scale_factor
  else
    self.outputSize[d - 1] = self.oheight
    self.outputSize[d] = self.owidth
  end
end

local function check(self, input, level)
  nn.utils.checkType(self, input, self.output)
  K.check_dims(self, input, 4, level + 1)
  self:setSize(input)
  local d = input:dim()
  return { self.outputSize[d - 1], self.outputSize[d] }
end

function SpatialUpSamplingBilinear:updateOutput(input)
  local size = check(self, input, 2)
  local x = input:dim() == 3 and input:view(1, unpack(input:size():totable())) or input
  local y = linear.forward(x, size)
  if input:dim() == 3 then y = y[1] end
  self.output:resizeAs(y):copy(y)
  return self.output
end

function SpatialUpSamplingBilinear:updateGradInput(input, gradOutput)
  local size = check(self, input, 2)
  local insize = input:size():totable()
  local g = gradOutput
  if #insize == 3 then
    table.insert(insize, 1, 1)
    g = gradOutput:view(1, unpack(gradOutput:size():totable()))
  end
  self.gradInput:resizeAs(input):copy(linear.backward(g, insize))
  return self.gradInput
end

function SpatialUpSamplingBilinear:__tostring__()
  if self.scale_factor then
    return string.format("%s(%d)", torch.type(self), self.scale_factor)
  end
  return string.format("%s(%d, %d)", torch.type(self), self.oheight, self.owidth)
end

return SpatialUpSamplingBilinear
