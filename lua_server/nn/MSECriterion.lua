-- nn.MSECriterion([sizeAverage=true]): sum((x - y)^2), divided by the element count when
-- sizeAverage. Element counts must match; shapes need not (Torch7's rule).
local torch = require "torch"
local aten = require "aten"
local MSECriterion, parent = torch.class("nn.MSECriterion", "nn.Criterion")

local REDUCTION_SUM, REDUCTION_MEAN = 2, 1

function MSECriterion:__init(sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
end

local function target_like(input, target)
  if input:nElement() ~= target:nElement() then
    error(string.format("nn.MSECriterion: input and target size mismatch (%s and %s)",
      table.concat(input:size():totable(), "x"), table.concat(target:size():totable(), "x")), 3)
  end
  if not input:isSameSizeAs(target) then return target:contiguous():view(input:size()) end
  return target
end

function MSECriterion:updateOutput(input, target)
  nn.utils.checkType(self, target, input)
  target = target_like(input, target)
  local reduction = self.sizeAverage and REDUCTION_MEAN or REDUCTION_SUM
  self.output = aten.call("item", aten.call("mse_loss", input._h, target._h, reduction))
  return self.output
end

-- dE/dx = norm * (x - y), norm = 2/n or 2, computed in the input's type as THNN does
function MSECriterion:updateGradInput(input, target)
  target = target_like(input, target)
  local norm = self.sizeAverage and 2 / input:nElement() or 2
  self.gradInput:resizeAs(input):add(input, -1, target):mul(norm)
  return self.gradInput
end

return MSECriterion
