-- nn.FeatureLPPooling(width, stride, power, batch_mode): Lp pooling across features: output
-- feature o is (Σ x^power)^(1/power) over input features o·stride + 1 .. o·stride + width,
-- for input [batch ×] features [× d1 [× d2]]; the output has (features − width)/stride + 1
-- features. As THNN's kernel, no absolute value is taken (odd powers want x ≥ 0).
local torch = require "torch"

local format = string.format
local FeatureLPPooling, parent = torch.class("nn.FeatureLPPooling", "nn.Module")

function FeatureLPPooling:__init(width, stride, power, batch_mode)
  parent.__init(self)
  if width < 2 or width > 16 then error("width must be within 2 to 16", 2) end
  if stride < 1 or stride > 4 then error("stride must be within 1 to 4", 2) end
  self.width = width
  self.stride = stride
  self.power = power
  self.batch_mode = batch_mode
  self.output = torch.Tensor()
  self.gradInput = torch.Tensor()
end

-- the feature dimension and the number of output features
local function geometry(self, input, level)
  local lo, hi = self.batch_mode and 2 or 1, self.batch_mode and 4 or 3
  if input:dim() < lo or input:dim() > hi then
    error(format("%s: input must be %dD to %dD (batch_mode %s), got a %dD tensor", torch.type(self), lo, hi,
      tostring(self.batch_mode), input:dim()), level + 1)
  end
  local fdim = self.batch_mode and 2 or 1
  local n = input:size(fdim)
  if n < self.width then
    error(format("%s: input has %d features, fewer than the width %d", torch.type(self), n, self.width), level + 1)
  end
  return fdim, math.floor((n - self.width) / self.stride) + 1
end

-- the features o·stride + k (o = 0 .. nOut − 1) of t, as a view
local function tap(self, t, fdim, nOut, k)
  return t:narrow(fdim, k + 1, (nOut - 1) * self.stride + 1):unfold(fdim, 1, self.stride):select(t:dim() + 1, 1)
end

function FeatureLPPooling:updateOutput(input)
  nn.utils.checkType(self, input, self.output)
  local fdim, nOut = geometry(self, input, 2)
  local sizes = input:size()
  sizes[fdim] = nOut
  local sum = input.new(sizes):zero()
  for k = 0, self.width - 1 do
    sum:add(torch.pow(tap(self, input, fdim, nOut, k), self.power))
  end
  self.output:resizeAs(sum):copy(sum:pow(1 / self.power))
  return self.output
end

-- d out / d x = x^(p−1) / out^(p−1); 0 where the output is 0
function FeatureLPPooling:updateGradInput(input, gradOutput)
  local fdim, nOut = geometry(self, input, 2)
  local p = self.power
  local scaled = torch.pow(self.output, p - 1)
  local zero = scaled:eq(0)
  scaled:maskedFill(zero, 1)
  scaled = torch.cdiv(gradOutput, scaled):maskedFill(zero, 0)
  self.gradInput:resizeAs(input):zero()
  for k = 0, self.width - 1 do
    local x = tap(self, input, fdim, nOut, k)
    tap(self, self.gradInput, fdim, nOut, k):addcmul(scaled, torch.pow(x, p - 1))
  end
  return self.gradInput
end

function FeatureLPPooling:__tostring__()
  return format("%s(w%d s%d power %d batch %s", torch.type(self), self.width, self.stride, self.power,
    tostring(self.batch_mode))
end

return FeatureLPPooling
