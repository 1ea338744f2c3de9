-- nn.ModuleCriterion(criterion [, inputModule] [, targetModule] [, castTarget=true]): the
-- criterion applied to inputModule(input) and targetModule(target). The gradient flows back
-- through inputModule; the modules' parameters are not trained.
local torch = require "torch"
local ModuleCriterion, parent = torch.class("nn.ModuleCriterion", "nn.Criterion")

function ModuleCriterion:__init(criterion, inputModule, targetModule, castTarget)
  parent.__init(self)
  self.criterion = criterion
  self.inputModule = inputModule
  self.targetModule = targetModule
  if castTarget == nil then castTarget = true end
  self.castTarget = castTarget
  if inputModule then
    local params = inputModule:parameters()
    if params and #params > 0 then
      print("Warning: nn.ModuleCriterion doesn't support parameter updates")
    end
  end
end

function ModuleCriterion:updateOutput(input, target)
  if self.inputModule then self.input = self.inputModule:forward(input) end
  if self.targetModule then self.target = self.targetModule:forward(target) end
  self.output = self.criterion:forward(self.input or input, self.target or target)
  return self.output
end

function ModuleCriterion:updateGradInput(input, target)
  self.gradInput = self.criterion:backward(self.input or input, self.target or target)
  if self.inputModule then
    self.gradInput = self.inputModule:backward(input, self.gradInput)
  end
  return self.gradInput
end

function ModuleCriterion:type(typeName, tensorCache)
  if self.inputModule then self.inputModule:type(typeName, tensorCache) end
  if self.castTarget and self.targetModule then self.targetModule:type(typeName, tensorCache) end
  self.criterion:type(typeName, tensorCache)
  return parent.type(self, typeName, tensorCache)
end

return ModuleCriterion
