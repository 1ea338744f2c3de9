-- nn.RReLU([l=1/8, u=1/3] [, inplace=false]): randomized leaky ReLU. Training: every input
-- <= 0 is scaled by a slope drawn from U(l, u) (Torch7's generator, row-major order, one
-- draw per such element); evaluate: by the fixed slope (l + u) / 2. `noise` keeps the
-- slope used per element (1 where the input is positive).
local torch = require "torch"
local RReLU, parent = torch.class("nn.RReLU", "nn.Module")

function RReLU:__init(l, u, inplace)
  parent.__init(self)
  self.lower = l or 1 / 8
  self.upper = u or 1 / 3
  assert(self.lower <= self.upper and self.lower >= 0 and self.upper >= 0,
    "nn.RReLU: 0 <= lower <= upper expected")
  self.noise = torch.Tensor()
  self.train = true
  self.inplace = inplace or false
end

-- fills noise with the per-element slopes of a training pass
-- (masks are made afresh: a ByteTensor field would be converted by :float())
local function drawNoise(self, input)
  local negative = input:le(0)
  local count = negative:sum()
  self.noise:resizeAs(input):fill(1)
  if count > 0 then
    self._slopes = self._slopes or input.new()
    self._slopes:resize(count):uniform(self.lower, self.upper)
    self.noise:maskedCopy(negative, self._slopes)
  end
end

function RReLU:updateOutput(input)
  local out = self.output
  if self.inplace then out = input else out:resizeAs(input):copy(input) end
  if self.train then
    drawNoise(self, input)
    out:cmul(self.noise)
  else
    local slope = (self.lower + self.upper) / 2
    local negative = input:lt(0)
    self._scaled = self._scaled or input.new()
    self._scaled:resizeAs(input):copy(out):mul(slope)
    out:maskedCopy(negative, self._scaled:maskedSelect(negative))
  end
  if self.inplace then self.output:set(input) end
  return self.output
end

function RReLU:updateGradInput(input, gradOutput)
  local gi = self.gradInput
  if self.inplace then gi = gradOutput else gi:resizeAs(gradOutput):copy(gradOutput) end
  if self.train and self.upper - self.lower > 1e-6 then
    gi:cmul(self.noise)
  else
    -- a fixed slope: the gradient is scaled where the input was <= 0
    local slope = (self.lower + self.upper) / 2
    local mask = input:le(0)
    self._scaled = self._scaled or input.new()
    self._scaled:resizeAs(gi):copy(gi):mul(slope)
    gi:maskedCopy(mask, self._scaled:maskedSelect(mask))
  end
  if self.inplace then self.gradInput:set(gradOutput) end
  return self.gradInput
end

function RReLU:__tostring__()
  return string.format("%s (l:%f, u:%f)", torch.type(self), self.lower, self.upper)
end

function RReLU:clearState()
  if self.noise then self.noise:set() end
  nn.utils.clear(self, "_slopes", "_scaled")
  return parent.clearState(self)
end

return RReLU
