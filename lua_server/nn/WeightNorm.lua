-- nn.WeightNorm(module [, outputDim=1]): weight normalisation (Salimans & Kingma 2016).
-- The wrapped module's weight becomes w = g * v / ||v||, with one norm per output unit
-- (the weight's dimension outputDim); v and g (and the module's bias) are the parameters.
-- ||v|| = sqrt(sum v^2 + 1e-4). Training forwards recompute w; evaluate() computes it once.
local torch = require "torch"
local WeightNorm, parent = torch.class("nn.WeightNorm", "nn.Decorator")

local NORM_EPS = 1e-4

function WeightNorm:__init(module, outputDim)
  parent.__init(self, module)
  assert(module.weight, "nn.WeightNorm: the module has no weight")
  self.bias, self.gradBias = module.bias, module.gradBias
  self.weight, self.gradWeight = module.weight, module.gradWeight
  self.outputDim = outputDim or 1

  -- w viewed as nOutput x (everything else), the output dimension moved to the front
  self.otherDims = 1
  for d = 1, self.weight:dim() do
    if d ~= self.outputDim then self.otherDims = self.otherDims * self.weight:size(d) end
  end
  self.viewIn = torch.LongStorage({ self.weight:size(self.outputDim), self.otherDims })
  self.weightSize = self.weight:size()
  self.viewOut = self.weight:size()
  for d = self.outputDim - 1, 1, -1 do
    self.viewOut[d], self.viewOut[d + 1] = self.viewOut[d + 1], self.viewOut[d]
  end

  self.v = torch.Tensor(self.viewIn[1], self.viewIn[2])
  self.g = torch.Tensor(self.viewIn[1])
  self._norm = torch.Tensor(self.viewIn[1])
  self._scale = torch.Tensor(self.viewIn[1])
  self.gradG = torch.Tensor(self.viewIn[1]):zero()
  self.gradV = torch.Tensor(self.viewIn)
  self:resetInit()
end

-- the weight with its output dimension moved to the front, and back
function WeightNorm:permuteIn(t)
  for d = self.outputDim - 1, 1, -1 do t = t:transpose(d, d + 1) end
  return t
end

function WeightNorm:permuteOut(t)
  for d = 1, self.outputDim - 1 do t = t:transpose(d, d + 1) end
  return t
end

-- v ~ N(0, 2/fanIn), g = ||v|| per row (so w starts as v), bias zero
function WeightNorm:resetInit()
  self.v:normal(0, math.sqrt(2 / self.viewIn[2]))
  self.g:norm(self.v, 2, 2)
  if self.bias then self.bias:zero() end
end

-- w = g * v / ||v||, computed in gradV's storage and copied into the module's weight
function WeightNorm:updateWeight()
  self._norm:norm(self.v, 2, 2):pow(2):add(NORM_EPS):sqrt()
  self._scale:copy(self.g):cdiv(self._norm)
  local w = self.gradV:view(self.viewIn)
  w:copy(self.v):cmul(self._scale:view(self.viewIn[1], 1):expandAs(w))
  -- gradV is the buffer, left in the weight's (output-first) shape as Torch7 leaves it
  self.gradV = w:view(self.viewOut)
  self.weight:copy(self:permuteOut(self.gradV))
end

function WeightNorm:evaluate()
  if self.train ~= false then
    self:updateWeight()
    parent.evaluate(self)
  end
end

function WeightNorm:updateOutput(input)
  if self.train ~= false then self:updateWeight() end
  self.output:set(self.modules[1]:updateOutput(input))
  return self.output
end

function WeightNorm:updateGradInput(input, gradOutput)
  self.gradInput:set(self.modules[1]:updateGradInput(input, gradOutput))
  return self.gradInput
end

-- dL/dg = sum_j dL/dw_j v_j / ||v||;  dL/dv = g/||v|| (dL/dw - dL/dg v / ||v||).
-- The module's gradWeight accumulates scale * dL/dw; gradV is rebuilt from all of it. As in
-- Torch7 the weight's storage serves as the buffer (the next training forward recomputes
-- it), and the module's gradWeight is left holding dL/dv.
function WeightNorm:accGradParameters(input, gradOutput, scale)
  self.modules[1]:accGradParameters(input, gradOutput, scale or 1)
  local n, m = self.viewIn[1], self.viewIn[2]
  local gradW = self.gradV:view(self.viewIn)
  gradW:copy(self:permuteIn(self.gradWeight):contiguous():view(self.viewIn))
  local norm = self._norm:view(n, 1):expand(n, m)
  local gscale = self._scale:view(n, 1):expand(n, m)
  local buf = self.weight:isContiguous() and self.weight:view(self.viewIn) or self.v.new(n, m)
  buf:copy(gradW):cmul(self.v):cdiv(norm)
  self.gradG:sum(buf, 2)
  gradW:cmul(gscale)
  buf:copy(self.v):cmul(gscale):cdiv(norm):cmul(self.gradG:view(n, 1):expand(n, m))
  gradW:add(-1, buf)
  self.gradV = gradW:view(self.viewOut)
  if self.weight:isContiguous() then self.weight = buf:view(self.viewOut) end
  self.gradWeight:copy(self:permuteOut(self.gradV))
end

function WeightNorm:zeroGradParameters()
  self.modules[1]:zeroGradParameters()
  self.gradV:zero()
  self.gradG:zero()
end

function WeightNorm:updateParameters(lr)
  self.modules[1]:updateParameters(lr)
  self.g:add(-lr, self.gradG)
  self.v:add(-lr, self.gradV)
end

function WeightNorm:parameters()
  if self.bias then
    return { self.v, self.g, self.bias }, { self.gradV, self.gradG, self.gradBias }
  end
  return { self.v, self.g }, { self.gradV, self.gradG }
end

-- weight and gradWeight are not saved: they follow from v and g
function WeightNorm:write(file)
  local module = self.modules[1]
  local weight, gradWeight = module.weight, module.gradWeight
  self.weightSize = self.weightSize or weight:size()
  self.weight, self.gradWeight, module.weight, module.gradWeight = nil, nil, nil, nil
  local ok, err = pcall(parent.write, self, file)
  self.weight, self.gradWeight, module.weight, module.gradWeight = weight, gradWeight, weight, gradWeight
  if not ok then error(err, 0) end
end

function WeightNorm:read(file, version)
  parent.read(self, file, version)
  if not self.weight then
    local module = self.modules[1]
    module.weight = self.v.new(self.weightSize)
    module.gradWeight = self.v.new(self.weightSize)
    self.weight, self.gradWeight = module.weight, module.gradWeight
    self:updateWeight()
    self.gradWeight:copy(self:permuteOut(self.gradV:view(self.viewOut)))
  end
end

function WeightNorm:__tostring__()
  return "nn.WeightNorm @ " .. tostring(self.modules[1])
end

return WeightNorm
