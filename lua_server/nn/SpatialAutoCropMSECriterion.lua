-- nn.SpatialAutoCropMSECriterion([sizeAverage=true]): MSE between a [batch x] C x H x W
-- input and the centre crop of a target at least as large (rows and columns start at
-- 1 + floor((targetSize - inputSize) / 2)). Like Torch7, backward wants the cropped target.
local torch = require "torch"
local SpatialAutoCropMSECriterion, parent =
  torch.class("nn.SpatialAutoCropMSECriterion", "nn.MSECriterion")

local function fail(msg) error("nn.SpatialAutoCropMSECriterion: " .. msg, 3) end

local function heightWidth(t)
  local d = t:dim()
  return t:size(d - 1), t:size(d)
end

function SpatialAutoCropMSECriterion:updateOutput(input, target)
  if input:dim() ~= target:dim() then fail("input and target should have the same number of dimensions") end
  if input:dim() ~= 3 and input:dim() ~= 4 then fail("input and target must have 3 or 4 dimensions") end
  local d = input:dim()
  if input:size(d - 2) ~= target:size(d - 2) then
    fail(string.format("target and input must have the same number of channels (%d and %d)",
      target:size(d - 2), input:size(d - 2)))
  end
  if d == 4 and input:size(1) ~= target:size(1) then
    fail(string.format("target and input must have the same batch size (%d and %d)", target:size(1), input:size(1)))
  end
  local h, w = heightWidth(input)
  local th, tw = heightWidth(target)
  if h > th or w > tw then
    fail("Spatial resolution of input should be less than or equal to the spatial resolution of the target")
  end
  local crop = target:narrow(d - 1, 1 + math.floor((th - h) / 2), h)
    :narrow(d, 1 + math.floor((tw - w) / 2), w)
  return parent.updateOutput(self, input, crop)
end

function SpatialAutoCropMSECriterion:updateGradInput(input, target)
  if input:dim() ~= target:dim() then fail("input and gradOutput should have the same number of dimensions") end
  if input:dim() ~= 3 and input:dim() ~= 4 then fail("input and gradOutput must have 3 or 4 dimensions") end
  if not input:isSameSizeAs(target) then fail("gradOutput and input must have the same size") end
  return parent.updateGradInput(self, input, target)
end

return SpatialAutoCropMSECriterion
