-- nn.ClassNLLCriterion([weights] [, sizeAverage=true] [, ignoreIndex=-100]): -x[target],
-- weighted by weights[target], for a 1-D input (target a number) or a batch (target a 1-D
-- tensor); targets are 1-based. With sizeAverage the sum is divided by the total weight
-- of the counted targets. updateOutput returns (loss, total weight).
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local call = aten.call
local run = aten.run
local ClassNLLCriterion, parent = torch.class("nn.ClassNLLCriterion", "nn.Criterion")

local SUM = 2

function ClassNLLCriterion:__init(weights, sizeAverage, ignoreIndex)
  parent.__init(self)
  self.sizeAverage = (sizeAverage == nil) and true or sizeAverage
  self.ignoreIndex = ignoreIndex or -100  -- this target index will be ignored
  if weights then
    assert(weights:dim() == 1, "weights input should be 1-D Tensor")
    self.weights = weights
  end
  self.output_tensor = torch.zeros(1)
  self.total_weight_tensor = torch.ones(1)
  self.target = torch.zeros(1):long()
end

function ClassNLLCriterion:__len()
  return self.weights and self.weights:nElement() or 0
end

-- the 1-based targets as a LongTensor in self.target
local function setTarget(self, target)
  if type(target) == "number" then
    self.target = self.target:long()
    self.target:resize(1)
    self.target[1] = target
  elseif torch.isTensor(target) then
    self.target = target:long()
  else
    error("nn.ClassNLLCriterion: target must be a number or a tensor, got " .. torch.type(target), 3)
  end
end

-- every target in [1, nClasses] or equal to ignoreIndex, else a 1-based error message
function ClassNLLCriterion.checkTargets(name, target, nClasses, ignoreIndex)
  if target:nElement() == 0 then return end
  local lo, hi = target:min(), target:max()
  if lo >= 1 and hi <= nClasses then return end
  local flat = target:contiguous():view(-1)
  for i = 1, flat:nElement() do
    local t = flat[i]
    if t ~= ignoreIndex and (t < 1 or t > nClasses) then
      error(string.format("%s: target %d is out of range [1, %d]", name, t, nClasses), 4)
    end
  end
end

-- (input as batch x classes, 0-based target handle, weight handle or nil)
local function atenArgs(self, input)
  if input:dim() ~= 1 and input:dim() ~= 2 then
    error("nn.ClassNLLCriterion: input must be a vector or a matrix, got a " .. input:dim() ..
      "D tensor", 3)
  end
  local batch = input:dim() == 1 and input:view(1, input:size(1)) or input
  if self.target:nElement() ~= batch:size(1) then
    error(string.format("nn.ClassNLLCriterion: %d targets for %d samples", self.target:nElement(),
      batch:size(1)), 3)
  end
  ClassNLLCriterion.checkTargets("nn.ClassNLLCriterion", self.target, batch:size(2), self.ignoreIndex)
  local target = call("sub.Scalar", self.target:contiguous():view(-1)._h, 1, 1)
  local weights = self.weights
  if weights and torch.type(weights) ~= torch.type(input) then weights = weights:typeAs(input) end
  return batch, target, weights and weights._h or nil
end

function ClassNLLCriterion:updateOutput(input, target)
  setTarget(self, target)
  local batch, t, w = atenArgs(self, input)
  local out, total = call("nll_loss_forward", batch._h, t, w, SUM, self.ignoreIndex - 1)
  local loss, totalWeight = call("item", out), call("item", total)
  if self.sizeAverage and totalWeight ~= 0 then loss = loss / totalWeight end
  self.output_tensor = self.output_tensor:typeAs(input)
  self.output_tensor[1] = loss
  self.total_weight_tensor = self.total_weight_tensor:typeAs(input)
  self.total_weight_tensor[1] = totalWeight
  self.output = loss
  return self.output, totalWeight
end

function ClassNLLCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  setTarget(self, target)
  local batch, t, w = atenArgs(self, input)
  local totalWeight = self.total_weight_tensor[1]
  local scale = (self.sizeAverage and totalWeight ~= 0) and 1 / totalWeight or 1
  local g = call("nll_loss_backward", nn.utils.scalarLike(input, scale), batch._h, t, w, SUM,
    self.ignoreIndex - 1, nn.utils.scalarLike(input, totalWeight))
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, call("view", g, core.sizes(input)), false)
  return self.gradInput
end

return ClassNLLCriterion
