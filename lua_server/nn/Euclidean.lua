-- nn.Euclidean(inputSize, outputSize): y_j = || x - w_j ||_2, w_j the columns of weight
-- (inputSize x outputSize). Gradients divide by y_j + 1e-7, as Torch7 does, so a zero
-- distance gives no NaN.
local torch = require "torch"
local P = require "nn.parameters"
local Euclidean, parent = torch.class("nn.Euclidean", "nn.Module")

function Euclidean:__init(inputSize, outputSize)
  parent.__init(self)
  self.weight = torch.Tensor(inputSize, outputSize)
  self.gradWeight = torch.Tensor(inputSize, outputSize)
  self.gradInput:resize(inputSize)
  self.output:resize(outputSize)
  self.fastBackward = true
  self:reset()
end

function Euclidean:reset(stdv)
  P.reset_uniform(self, stdv, self.weight:size(1))
end

local function batched(input)
  if input:dim() == 1 then return input:view(1, input:size(1)) end
  if input:dim() ~= 2 then error("nn.Euclidean: input must be a vector or a matrix", 3) end
  return input
end

-- _repeat = x - w for every sample and column: batch x inputSize x outputSize
function Euclidean:updateOutput(input)
  local x = batched(input)
  local b, inputSize, outputSize = x:size(1), self.weight:size(1), self.weight:size(2)
  self._repeat = self._repeat or input.new()
  self._repeat:resize(b, inputSize, outputSize)
  self._repeat:copy(x:contiguous():view(b, inputSize, 1):expand(b, inputSize, outputSize))
  self._repeat:add(-1, self.weight:view(1, inputSize, outputSize):expand(b, inputSize, outputSize))
  local dist = self._repeat:norm(2, 2)  -- b x 1 x outputSize
  if input:dim() == 1 then
    self.output:resize(outputSize):copy(dist)
  else
    self.output:resize(b, outputSize):copy(dist)
  end
  return self.output
end

-- g_j / (y_j + 1e-7), shaped b x 1 x outputSize to scale _repeat
local function scaled(self, gradOutput)
  local b, outputSize = self._repeat:size(1), self.weight:size(2)
  self._div = self._div or gradOutput.new()
  self._div:resizeAs(self.output):copy(self.output):add(1e-7)
  self._div:cdiv(gradOutput, self._div)
  return self._div:view(b, 1, outputSize):expand(b, self.weight:size(1), outputSize)
end

function Euclidean:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  if not self.fastBackward then self:updateOutput(input) end
  self._repeat2 = self._repeat2 or input.new()
  self._repeat2:resizeAs(self._repeat):copy(self._repeat):cmul(scaled(self, gradOutput))
  self.gradInput:resizeAs(input):copy(self._repeat2:sum(3))
  return self.gradInput
end

function Euclidean:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  -- recomputed rather than trusting a preceding updateGradInput with this gradOutput
  self._repeat2 = self._repeat2 or input.new()
  self._repeat2:resizeAs(self._repeat):copy(self._repeat):cmul(scaled(self, gradOutput))
  self.gradWeight:add(-scale, self._repeat2:sum(1):viewAs(self.gradWeight))
end

function Euclidean:clearState()
  nn.utils.clear(self, "_repeat", "_repeat2", "_div")
  return parent.clearState(self)
end

return Euclidean
