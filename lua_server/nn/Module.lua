-- nn.Module: the base of every layer. forward/backward live here only; layers implement
-- updateOutput, updateGradInput and accGradParameters. Field names are Torch7's
-- (output, gradInput, weight, gradWeight, bias, gradBias, train, _type): .t7 files rely on them.
local torch = require "torch"
local Module = torch.class("nn.Module")

function Module:__init()
  self.gradInput = torch.Tensor()
  self.output = torch.Tensor()
  self._type = self.output:type()
end

function Module:parameters()
  if self.weight and self.bias then
    return { self.weight, self.bias }, { self.gradWeight, self.gradBias }
  elseif self.weight then
    return { self.weight }, { self.gradWeight }
  elseif self.bias then
    return { self.bias }, { self.gradBias }
  end
end

function Module:updateOutput(input)
  return self.output
end

function Module:forward(input)
  return self:updateOutput(input)
end

function Module:backward(input, gradOutput, scale)
  scale = scale or 1
  self:updateGradInput(input, gradOutput)
  self:accGradParameters(input, gradOutput, scale)
  return self.gradInput
end

function Module:backwardUpdate(input, gradOutput, lr)
  self:updateGradInput(input, gradOutput)
  self:accUpdateGradParameters(input, gradOutput, lr)
  return self.gradInput
end

function Module:updateGradInput(input, gradOutput)
  return self.gradInput
end

function Module:accGradParameters(input, gradOutput, scale)
end

-- w -= lr * dE/dw computed in place, by pointing the gradients at the weights
function Module:accUpdateGradParameters(input, gradOutput, lr)
  local gradWeight, gradBias = self.gradWeight, self.gradBias
  self.gradWeight, self.gradBias = self.weight, self.bias
  self:accGradParameters(input, gradOutput, -lr)
  self.gradWeight, self.gradBias = gradWeight, gradBias
end

function Module:sharedAccUpdateGradParameters(input, gradOutput, lr)
  if self:parameters() then
    self:zeroGradParameters()
    self:accGradParameters(input, gradOutput, 1)
    self:updateParameters(lr)
  end
end

function Module:zeroGradParameters()
  local _, gradParams = self:parameters()
  if gradParams then
    for i = 1, #gradParams do gradParams[i]:zero() end
  end
end

function Module:updateParameters(learningRate)
  local params, gradParams = self:parameters()
  if params then
    for i = 1, #params do params[i]:add(-learningRate, gradParams[i]) end
  end
end

function Module:training() self.train = true end
function Module:evaluate() self.train = false end

function Module:reset() end

function Module:type(type_name, tensorCache)
  if not type_name then return self._type end
  tensorCache = tensorCache or {}
  for key, param in pairs(self) do
    self[key] = nn.utils.recursiveType(param, type_name, tensorCache)
  end
  self._type = type_name
  return self
end

function Module:float(...) return self:type("torch.FloatTensor", ...) end
function Module:double(...) return self:type("torch.DoubleTensor", ...) end
function Module:cuda(...) return self:type("torch.CudaTensor", ...) end

function Module:clearState()
  return nn.utils.clear(self, "output", "gradInput")
end

function Module:apply(callback)
  callback(self)
  if self.modules then
    for _, module in ipairs(self.modules) do module:apply(callback) end
  end
end

function Module:__call__(input, gradOutput)
  self:forward(input)
  if gradOutput then
    self:backward(input, gradOutput)
    return self.output, self.gradInput
  end
  return self.output
end

function Module:__tostring__()
  return torch.type(self)
end

return Module
