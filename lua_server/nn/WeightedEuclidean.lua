-- nn.WeightedEuclidean(inputSize, outputSize): y_j = || c_j * (x - w_j) ||_2 with one
-- template w_j and one diagonal covariance c_j per output (the columns of weight and
-- diagCov, both inputSize x outputSize; diagCov starts at 1). Gradients divide by
-- y_j + 1e-7, as Torch7 does.
local torch = require "torch"
local P = require "nn.parameters"
local WeightedEuclidean, parent = torch.class("nn.WeightedEuclidean", "nn.Module")

function WeightedEuclidean:__init(inputSize, outputSize)
  parent.__init(self)
  self.weight = torch.Tensor(inputSize, outputSize)
  self.gradWeight = torch.Tensor(inputSize, outputSize)
  self.diagCov = torch.Tensor(inputSize, outputSize)
  self.gradDiagCov = torch.Tensor(inputSize, outputSize)
  self:reset()
end

function WeightedEuclidean:reset(stdv)
  P.reset_uniform(self, stdv, self.weight:size(1))
  self.diagCov:fill(1)
end

function WeightedEuclidean:parameters()
  return { self.weight, self.diagCov }, { self.gradWeight, self.gradDiagCov }
end

local function batched(input)
  if input:dim() == 1 then return input:view(1, input:size(1)) end
  if input:dim() ~= 2 then error("nn.WeightedEuclidean: 1D or 2D input expected", 3) end
  return input
end

-- batch x inputSize x outputSize views of a per-sample and a per-template tensor
local function expanded(self, b)
  local inputSize, outputSize = self.weight:size(1), self.weight:size(2)
  local function template(t) return t:view(1, inputSize, outputSize):expand(b, inputSize, outputSize) end
  return template, inputSize, outputSize
end

-- _repeat = c * (x - w), batch x inputSize x outputSize
function WeightedEuclidean:updateOutput(input)
  local x = batched(input)
  local b = x:size(1)
  local template, inputSize, outputSize = expanded(self, b)
  self._repeat = self._repeat or input.new()
  self._repeat:resize(b, inputSize, outputSize)
  self._repeat:copy(x:contiguous():view(b, inputSize, 1):expand(b, inputSize, outputSize))
  self._repeat:add(-1, template(self.weight)):cmul(template(self.diagCov))
  local y = self._repeat:norm(2, 2)
  if input:dim() == 1 then self.output:resize(outputSize) else self.output:resize(b, outputSize) end
  self.output:copy(y)
  return self.output
end

-- g_j / (y_j + 1e-7), shaped to scale _repeat
local function scaledGrad(self, gradOutput, b)
  local inputSize, outputSize = self.weight:size(1), self.weight:size(2)
  local div = self.output:clone():add(1e-7)
  div:cdiv(gradOutput, div)
  return div:view(b, 1, outputSize):expand(b, inputSize, outputSize)
end

-- dy_j/dx = c_j^2 (x - w_j) / y_j
function WeightedEuclidean:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  if not self.fastBackward then self:updateOutput(input) end
  local b = batched(input):size(1)
  local template = expanded(self, b)
  local terms = torch.cmul(self._repeat, scaledGrad(self, gradOutput, b)):cmul(template(self.diagCov))
  self.gradInput:resizeAs(input):copy(terms:sum(3))
  return self.gradInput
end

-- dy_j/dw_j = -c_j^2 (x - w_j) / y_j, dy_j/dc_j = c_j (x - w_j)^2 / y_j
function WeightedEuclidean:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local x = batched(input)
  local b = x:size(1)
  local template, inputSize, outputSize = expanded(self, b)
  local g = scaledGrad(self, gradOutput, b)
  local diff = x:contiguous():view(b, inputSize, 1):expand(b, inputSize, outputSize):clone()
  diff:add(-1, template(self.weight))
  local c = template(self.diagCov)
  local forWeight = torch.cmul(diff, c):cmul(c):cmul(g)
  self.gradWeight:add(-scale, forWeight:sum(1):view(inputSize, outputSize))
  local forCov = torch.cmul(diff, diff):cmul(c):cmul(g)
  self.gradDiagCov:add(scale, forCov:sum(1):view(inputSize, outputSize))
end

function WeightedEuclidean:accUpdateGradParameters(input, gradOutput, lr)
  local gradWeight, gradDiagCov = self.gradWeight, self.gradDiagCov
  self.gradWeight, self.gradDiagCov = self.weight, self.diagCov
  self:accGradParameters(input, gradOutput, -lr)
  self.gradWeight, self.gradDiagCov = gradWeight, gradDiagCov
end

function WeightedEuclidean:type(type_name, tensorCache)
  if type_name then self._repeat = nil end
  return parent.type(self, type_name, tensorCache)
end

function WeightedEuclidean:clearState()
  nn.utils.clear(self, "_repeat")
  return parent.clearState(self)
end

return WeightedEuclidean
