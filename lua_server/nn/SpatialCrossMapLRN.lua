-- nn.SpatialCrossMapLRN(size [, alpha=1e-4, beta=0.75, k=1]): local response normalization
-- across channels (AlexNet): y_c = x_c · scale_c^−beta with scale_c = k + alpha/size ·
-- Σ x_c'^2 over the size channels centred on c (clipped at the ends), for C×H×W or
-- N×C×H×W input. scale is kept for the backward pass.
local torch = require "torch"

local floor, format = math.floor, string.format
local SpatialCrossMapLRN, parent = torch.class("nn.SpatialCrossMapLRN", "nn.Module")

function SpatialCrossMapLRN:__init(size, alpha, beta, k)
  parent.__init(self)
  self.size = size
  self.alpha = alpha or 0.0001
  self.beta = beta or 0.75
  self.k = k or 1
end

-- Σ over the channel window around each channel of t (N×C×H×W)
local function window_sum(self, t)
  local C = t:size(2)
  local before = floor((self.size - 1) / 2)
  local sum = t.new():resizeAs(t):zero()
  for shift = -before, self.size - 1 - before do
    local lo, hi = math.max(1, 1 - shift), math.min(C, C - shift)
    if lo <= hi then
      sum:narrow(2, lo, hi - lo + 1):add(t:narrow(2, lo + shift, hi - lo + 1))
    end
  end
  return sum
end

local function batched(self, t, level)
  if t:dim() ~= 3 and t:dim() ~= 4 then
    error(format("%s: Input must be 3D or 4D, got a %dD tensor", torch.type(self), t:dim()), level + 1)
  end
  if t:dim() == 3 then return t:view(1, t:size(1), t:size(2), t:size(3)) end
  return t
end

function SpatialCrossMapLRN:updateOutput(input)
  local x = batched(self, input, 2)
  self.scale = self.scale or input.new()
  local scale = window_sum(self, torch.cmul(x, x)):mul(self.alpha / self.size):add(self.k)
  self.scale:resizeAs(scale):copy(scale)
  local y = torch.pow(scale, -self.beta):cmul(x)
  if input:dim() == 3 then y = y[1] end
  self.output:resizeAs(y):copy(y)
  return self.output
end

-- dx_c = g_c·scale_c^−beta − 2·alpha·beta/size · x_c · Σ_{c' around c} g_c'·y_c'/scale_c'
function SpatialCrossMapLRN:updateGradInput(input, gradOutput)
  local x = batched(self, input, 2)
  local g = batched(self, gradOutput, 2)
  local y = batched(self, self.output, 2)
  local scale = self.scale:view(x:size())
  local ratio = window_sum(self, torch.cmul(g, y):cdiv(scale))
  local gi = torch.pow(scale, -self.beta):cmul(g)
  gi:addcmul(-2 * self.alpha * self.beta / self.size, x, ratio)
  if input:dim() == 3 then gi = gi[1] end
  self.gradInput:resizeAs(gi):copy(gi)
  return self.gradInput
end

function SpatialCrossMapLRN:clearState()
  nn.utils.clear(self, "scale", "paddedRatio", "accumRatio")
  return parent.clearState(self)
end

return SpatialCrossMapLRN
