-- nn.ClassNLLCriterion([weights] [, sizeAverage=true] [, ignoreIndex=-100]): -x[target],
-- weighted by weights[target], for a 1-D input (target a number) or a batch (target a 1-D
-- tensor); targets are 1-based. With sizeAverage the sum is divided by the total weight
-- of the counted targets. updateOutput returns (loss, total weight).
local torch = require "torch"
local aten = require "aten"
local NLL = require "nn.nll"
local call = aten.call
local ClassNLLCriterion, parent = torch.class("nn.ClassNLLCriterion", "nn.Criterion")

function ClassNLLCriterion:__init(weights, sizeAverage, ignoreIndex)
  parent.__init(self)
  self.ignoreIndex = ignoreIndex or -100  -- this target index will be ignored
  NLL.init(self, weights, sizeAverage)
end

NLL.install_len(ClassNLLCriterion)

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

-- (input as batch x classes, 0-based target handle, weights or nil)
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
  NLL.check_targets("nn.ClassNLLCriterion", self.target, batch:size(2), self.ignoreIndex)
  local target = call("sub.Scalar", self.target:contiguous():view(-1)._h, 1, 1)
  return batch, target, NLL.weights(self, input)
end

function ClassNLLCriterion:updateOutput(input, target)
  setTarget(self, target)
  local batch, t, w = atenArgs(self, input)
  return NLL.forward(self, input, "nll_loss_forward", batch, t, w, self.ignoreIndex)
end

function ClassNLLCriterion:updateGradInput(input, target)
  self.gradInput = nn.utils.typeLike(self.gradInput, input)
  setTarget(self, target)
  local batch, t, w = atenArgs(self, input)
  return NLL.backward(self, input, "nll_loss_backward", batch, t, w, self.ignoreIndex)
end

return ClassNLLCriterion
