-- nn.WeightedMSECriterion(weight): the MSE between the input and weight * target (element
-- wise). A weight with one dimension less than the input applies to every sample.
local torch = require "torch"
local WeightedMSECriterion, parent = torch.class("nn.WeightedMSECriterion", "nn.MSECriterion")

function WeightedMSECriterion:__init(weight)
  parent.__init(self)
  self.weight = weight:clone()
end

-- buffer = weight * target, the weight broadcast over the batch when it is one sample's
local function weighted(self, input, target)
  self.buffer = self.buffer or input.new()
  self.buffer:resizeAs(input):copy(target)
  if input:dim() - 1 == self.weight:dim() then
    local w = self.weight:view(1, unpack(self.weight:size():totable()))
    self.buffer:cmul(w:expandAs(self.buffer))
  else
    self.buffer:cmul(self.weight)
  end
  return self.buffer
end

function WeightedMSECriterion:updateOutput(input, target)
  return parent.updateOutput(self, input, weighted(self, input, target))
end

function WeightedMSECriterion:updateGradInput(input, target)
  return parent.updateGradInput(self, input, weighted(self, input, target))
end

return WeightedMSECriterion
