-- nn.SpatialZeroPadding(pad_l [, pad_r=pad_l, pad_t=pad_l, pad_b=pad_l]): pads the last two
-- dimensions of C×H×W or N×C×H×W input with zeros; a negative amount crops that side.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local error = error
local SpatialZeroPadding, parent = torch.class("nn.SpatialZeroPadding", "nn.Module")

function SpatialZeroPadding:__init(pad_l, pad_r, pad_t, pad_b)
  parent.__init(self)
  self.pad_l = pad_l
  self.pad_r = pad_r or self.pad_l
  self.pad_t = pad_t or self.pad_l
  self.pad_b = pad_b or self.pad_l
end

local function check(self, input)
  local d = input:dim()
  if d ~= 3 and d ~= 4 then error("input must be 3 or 4-dimensional", 3) end
  local h = input:size(d - 1) + self.pad_t + self.pad_b
  local w = input:size(d) + self.pad_l + self.pad_r
  if w < 1 or h < 1 then error("input is too small", 3) end
end

-- constant_pad_nd pads (and, for negative amounts, crops) the last dimensions
function SpatialZeroPadding:updateOutput(input)
  check(self, input)
  nn.utils.checkType(self, input, self.output)
  local h = call("constant_pad_nd", input._h, { self.pad_l, self.pad_r, self.pad_t, self.pad_b }, 0)
  K.take(self.output, h)
  return self.output
end

-- the gradient of padding is a crop of gradOutput, of cropping a zero padding of it
function SpatialZeroPadding:updateGradInput(input, gradOutput)
  check(self, input)
  local h = call("constant_pad_nd", gradOutput._h, { -self.pad_l, -self.pad_r, -self.pad_t, -self.pad_b }, 0)
  K.take(self.gradInput, h)
  return self.gradInput
end

function SpatialZeroPadding:__tostring__()
  return torch.type(self) .. string.format("(l=%d, r=%d, t=%d, b=%d)", self.pad_l, self.pad_r,
    self.pad_t, self.pad_b)
end

return SpatialZeroPadding
