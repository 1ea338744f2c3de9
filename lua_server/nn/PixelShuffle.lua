-- nn.PixelShuffle(r [, upscale=true]): periodic shuffling of pixels. Upscaling turns
-- [batch x] C*r*r x H x W into [batch x] C x r*H x r*W; downscaling does the reverse.
local torch = require "torch"
local PixelShuffle, parent = torch.class("nn.PixelShuffle", "nn.Module")

local UP, DOWN = { 1, 2, 5, 3, 6, 4 }, { 1, 2, 4, 6, 3, 5 }

function PixelShuffle:__init(scaleFactor, upscale)
  parent.__init(self)
  self.scaleFactor = scaleFactor
  self.scaleFactorSquared = scaleFactor * scaleFactor
  if upscale == nil then self.upscale = true else self.upscale = upscale end
  self.permuteOrderFwd = self.upscale and UP or DOWN
  self.permuteOrderBwd = self.upscale and DOWN or UP
end

-- batch, channels, height, width of the input side, checked for divisibility
local function inputShape(self, input)
  local d = input:dim()
  if d ~= 3 and d ~= 4 then
    error(string.format("nn.PixelShuffle: 3D or 4D (batch mode) input expected, got a %dD tensor", d), 3)
  end
  local first = d == 4 and 2 or 1
  local b = d == 4 and input:size(1) or 1
  local c, h, w = input:size(first), input:size(first + 1), input:size(first + 2)
  local r = self.scaleFactor
  if self.upscale and c % self.scaleFactorSquared ~= 0 then
    error("nn.PixelShuffle: the number of channels must be divisible by scaleFactor^2", 3)
  elseif not self.upscale and (h % r ~= 0 or w % r ~= 0) then
    error("nn.PixelShuffle: height and width must be divisible by scaleFactor", 3)
  end
  return b, c, h, w
end

-- the 6-D view of the upscale side: b x C x r x r x H x W (upscale input / downscale output)
local function packed(self, t, b, c, h, w)
  local r = self.scaleFactor
  if self.upscale then return t:contiguous():view(b, c / self.scaleFactorSquared, r, r, h, w) end
  return t:contiguous():view(b, c, h / r, r, w / r, r)
end

function PixelShuffle:updateOutput(input)
  local b, c, h, w = inputShape(self, input)
  local r = self.scaleFactor
  local shuffled = packed(self, input, b, c, h, w):permute(unpack(self.permuteOrderFwd))
  self._shuffleOut = self._shuffleOut or input.new()
  self._shuffleOut:resize(shuffled:size()):copy(shuffled)
  local oc, oh, ow
  if self.upscale then
    oc, oh, ow = c / self.scaleFactorSquared, h * r, w * r
  else
    oc, oh, ow = c * self.scaleFactorSquared, h / r, w / r
  end
  if input:dim() == 4 then
    self.output = self._shuffleOut:view(b, oc, oh, ow)
  else
    self.output = self._shuffleOut:view(oc, oh, ow)
  end
  return self.output
end

function PixelShuffle:updateGradInput(input, gradOutput)
  local b, c, h, w = inputShape(self, input)
  local r = self.scaleFactor
  local g
  if self.upscale then
    g = gradOutput:contiguous():view(b, c / self.scaleFactorSquared, h, r, w, r)
  else
    g = gradOutput:contiguous():view(b, c, r, r, h / r, w / r)
  end
  local shuffled = g:permute(unpack(self.permuteOrderBwd))
  self._shuffleIn = self._shuffleIn or input.new()
  self._shuffleIn:resize(shuffled:size()):copy(shuffled)
  self.gradInput = self._shuffleIn:view(input:size())
  return self.gradInput
end

function PixelShuffle:clearState()
  nn.utils.clear(self, "_intermediateShape", "_outShape", "_shuffleIn", "_shuffleOut")
  return parent.clearState(self)
end

return PixelShuffle
