-- nn.LinearWeightNorm(inputSize, outputSize [, bias=true]): a Linear layer whose weight rows
-- are w_i = g_i * v_i / max(||v_i||, 0) (weight normalisation); parameters are v, g, bias.
-- The weight is recomputed before a forward in training mode or after a parameter change.
local torch = require "torch"
local A = require "nn.affine"
local LinearWeightNorm, parent = torch.class("nn.LinearWeightNorm", "nn.Linear")

function LinearWeightNorm:__init(inputSize, outputSize, bias)
  nn.Module.__init(self)  -- Linear's constructor would draw a weight this class does not use
  if bias == nil then bias = true end
  self.inputSize, self.outputSize = inputSize, outputSize
  self.v = torch.Tensor(outputSize, inputSize)
  self.gradV = torch.Tensor(outputSize, inputSize)
  self.weight = torch.Tensor(outputSize, inputSize)
  self.g = torch.Tensor(outputSize, 1)
  self.gradG = torch.Tensor(outputSize, 1)
  self.norm = torch.Tensor(outputSize, 1)
  self.scale = torch.Tensor(outputSize, 1)
  if bias then
    self.bias = torch.Tensor(outputSize)
    self.gradBias = torch.Tensor(outputSize)
  end
  self:reset()
end

-- the LinearWeightNorm computing the same function as `linear`
function LinearWeightNorm.fromLinear(linear)
  local module = nn.LinearWeightNorm(linear.weight:size(2), linear.weight:size(1), linear.bias ~= nil)
  module.g = linear.weight:norm(2, 2)
  module.v = torch.cdiv(linear.weight, module.g:expandAs(linear.weight))
  if linear.bias then module.bias:copy(linear.bias) end
  module.dirty = true
  return module
end

function LinearWeightNorm:toLinear()
  self:updateWeightMatrix()
  local module = nn.Linear(self.inputSize, self.outputSize, self.bias ~= nil)
  module.weight:copy(self.weight)
  if self.bias then module.bias:copy(self.bias) end
  return module
end

function LinearWeightNorm:parameters()
  if self.bias then
    return { self.v, self.g, self.bias }, { self.gradV, self.gradG, self.gradBias }
  end
  return { self.v, self.g }, { self.gradV, self.gradG }
end

-- v ~ U(-stdv, stdv) with stdv = 1/sqrt(inputSize), g = ||v_i||, then the bias
function LinearWeightNorm:reset(stdv)
  stdv = stdv and stdv * math.sqrt(3) or 1 / math.sqrt(self.inputSize)
  self.v:uniform(-stdv, stdv)
  self.g:norm(self.v, 2, 2)
  if self.bias then self.bias:uniform(-stdv, stdv) end
  self.dirty = true
  return self
end

function LinearWeightNorm:updateWeightMatrix()
  -- a module never put in evaluate mode counts as training (train == nil), as in WeightNorm
  if self.dirty or self.train ~= false then
    if self.norm:dim() == 0 then self.norm:resizeAs(self.g) end
    if self.scale:dim() == 0 then self.scale:resizeAs(self.g) end
    if self.weight:dim() == 0 then self.weight:resizeAs(self.v) end
    self.norm:norm(self.v, 2, 2)
    self.scale:copy(self.g):cdiv(self.norm)
    self.weight:copy(self.v):cmul(self.scale:expandAs(self.v))
    self.dirty = false
  end
end

function LinearWeightNorm:updateOutput(input)
  self:updateWeightMatrix()
  return parent.updateOutput(self, input)
end

-- Linear's gradients land in gradV (as dL/dw), then turn into dL/dv and dL/dg
function LinearWeightNorm:accGradParameters(input, gradOutput, scale)
  A.accumulate(self, self.gradV, input, gradOutput, scale or 1)
  local gscale = self.scale:expandAs(self.v)
  local norm = self.norm:expandAs(self.v)
  -- the weight tensor serves as the buffer; the next forward recomputes it
  self.weight:copy(self.gradV):cmul(self.v):cdiv(norm)
  self.gradG:sum(self.weight, 2)
  self.gradV:cmul(gscale)
  self.weight:copy(self.v):cmul(gscale):cdiv(norm):cmul(self.gradG:expandAs(self.weight))
  self.gradV:add(-1, self.weight)
  self.dirty = true
end

function LinearWeightNorm:updateParameters(lr)
  parent.updateParameters(self, lr)
  self.dirty = true
end

function LinearWeightNorm:clearState()
  nn.utils.clear(self, "weight", "norm", "scale")
  self.dirty = true
  return parent.clearState(self)
end

function LinearWeightNorm:__tostring__()
  return torch.type(self) .. string.format("(%d -> %d)", self.inputSize, self.outputSize) ..
    (self.bias == nil and " without bias" or "")
end

return LinearWeightNorm
