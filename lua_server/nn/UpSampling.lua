-- nn.UpSampling(scale | {oheight=, owidth= [, odepth=]}, mode='nearest'): upsamples
-- N×C×H×W (spatial) or N×C×T×H×W (volumetric) input by an integer scale. mode 'nearest'
-- repeats values (scale only); 'linear' ('bilinear', 'trilinear') interpolates with the
-- corners aligned, to scale times the size or to the given size.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local linear = require "nn.upsample_linear"

local call = aten.call
local format, floor = string.format, math.floor
local UpSampling, parent = torch.class("nn.UpSampling", "nn.Module")

local LINEAR = { linear = true, bilinear = true, trilinear = true }

function UpSampling:__init(params, mode)
  parent.__init(self)
  -- any other mode means nearest, as in Torch7
  self.mode = LINEAR[mode] and "linear" or "nearest"
  self.odepth, self.owidth, self.oheight, self.scale_factor = nil, nil, nil, nil
  if torch.type(params) == "table" then
    if self.mode == "nearest" then error("Nearest neighbour upsampling requires a scale_factor", 2) end
    self.odepth, self.owidth, self.oheight = params.odepth, params.owidth, params.oheight
    if self.owidth == nil or self.oheight == nil then
      error("Output height and width parameters are required", 2)
    end
  else
    self.scale_factor = params
    if self.scale_factor < 1 then error("scale_factor must be greater than 1", 2) end
    if floor(self.scale_factor) ~= self.scale_factor then error("scale_factor must be integer", 2) end
  end
  self.inputSize = torch.LongStorage(5):fill(0)
  self.outputSize = torch.LongStorage(5):fill(0)
end

function UpSampling:setSize(input)
  local xdim = input:dim()
  for i = 1, xdim do
    self.inputSize[i] = input:size(i)
    self.outputSize[i] = input:size(i)
  end
  local first = xdim == 5 and xdim - 2 or xdim - 1
  for i = first, xdim do
    if self.scale_factor then
      self.outputSize[i] = self.outputSize[i] * self.scale_factor
    end
  end
  if not self.scale_factor then
    if xdim == 5 then
      if self.odepth == nil then
        error("No output depth dimension was supplied for volumetric upsampling", 3)
      end
      self.outputSize[xdim - 2] = self.odepth
    end
    self.outputSize[xdim - 1] = self.oheight
    self.outputSize[xdim] = self.owidth
  end
end

-- the nearest-neighbour ATen kernel for this input, its spatial output sizes and dim
local function plan(self, input)
  local d = input:dim()
  if d < 4 or d > 5 then error("UpSampling only supports 4D or 5D tensors", 3) end
  nn.utils.checkType(self, input, self.output)
  self:setSize(input)
  local size = {}
  for i = 3, d do size[#size + 1] = self.outputSize[i] end
  return d == 4 and "upsample_nearest2d" or "upsample_nearest3d", size, d
end

function UpSampling:updateOutput(input)
  local kernel, size, d = plan(self, input)
  if self.mode == "linear" then
    local y = linear.forward(input, size)
    self.output:resizeAs(y):copy(y)
    return self.output
  end
  local h = d == 4 and call(kernel, input._h, size, nil, nil) or call(kernel, input._h, size, nil, nil, nil)
  K.take(self.output, h)
  return self.output
end

function UpSampling:updateGradInput(input, gradOutput)
  local kernel, size, d = plan(self, input)
  if gradOutput:dim() ~= d then error("Input and gradOutput should be of same dimension", 2) end
  local insize = input:size():totable()
  if self.mode == "linear" then
    self.gradInput:resizeAs(input):copy(linear.backward(gradOutput, insize))
    return self.gradInput
  end
  local h = d == 4 and call(kernel .. "_backward", gradOutput._h, size, insize, nil, nil)
    or call(kernel .. "_backward", gradOutput._h, size, insize, nil, nil, nil)
  K.take(self.gradInput, h)
  return self.gradInput
end

function UpSampling:__tostring__()
  if self.scale_factor then
    return format("%s(%dx, %s)", torch.type(self), self.scale_factor, self.mode)
  elseif self.odepth then
    return format("%s(%dx%dx%d, %s)", torch.type(self), self.odepth, self.oheight, self.owidth, self.mode)
  end
  return format("%s(%dx%d, %s)", torch.type(self), self.oheight, self.owidth, self.mode)
end

return UpSampling
