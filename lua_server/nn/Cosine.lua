-- nn.Cosine(inputSize, outputSize): y_j = <w_j, x> / (||w_j|| ||x||), w_j the rows of
-- weight (outputSize x inputSize). Norms get 1e-12 added, as in Torch7, so zero vectors
-- give no NaN.
local torch = require "torch"
local P = require "nn.parameters"
local Cosine, parent = torch.class("nn.Cosine", "nn.Module")

local EPS = 1e-12

function Cosine:__init(inputSize, outputSize)
  parent.__init(self)
  self.weight = torch.Tensor(outputSize, inputSize)
  self.gradWeight = torch.Tensor(outputSize, inputSize)
  self:reset()
end

-- Torch7 scales by the output size here (weight:size(1)), not the fan-in
function Cosine:reset(stdv)
  P.reset_uniform(self, stdv, self.weight:size(1))
end

local function batched(input)
  if input:dim() == 1 then return input:view(1, input:size(1)), true end
  if input:dim() ~= 2 then error("nn.Cosine: input must be a vector or a matrix", 3) end
  return input, false
end

function Cosine:updateOutput(input)
  local x, single = batched(input)
  local outputSize = self.weight:size(1)
  self._weightNorm = self._weightNorm or self.weight.new()
  self._inputNorm = self._inputNorm or self.weight.new()
  self._weightNorm:norm(self.weight, 2, 2):add(EPS)  -- outputSize x 1
  self._inputNorm:norm(x, 2, 2):add(EPS)             -- batch x 1
  local y = x.new():resize(x:size(1), outputSize):mm(x, self.weight:t())
  y:cdiv(self._weightNorm:view(1, outputSize):expandAs(y))
  y:cdiv(self._inputNorm:expandAs(y))
  if single then self.output:resize(outputSize):copy(y) else self.output:resizeAs(y):copy(y) end
  return self.output
end

-- dy_j/dx = w_j / (||w_j|| ||x||) - y_j x / ||x||^2
function Cosine:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  local x = batched(input)
  local outputSize = self.weight:size(1)
  local g = gradOutput:contiguous():view(x:size(1), outputSize)
  local y = self.output:view(x:size(1), outputSize)
  local xn = self._inputNorm:expandAs(x)
  local gw = g:clone():cdiv(self._weightNorm:view(1, outputSize):expandAs(g))
  local gi = torch.mm(gw, self.weight)                               -- sum_j g_j w_j / ||w_j||
  local gy = torch.cmul(g, y):sum(2)                                 -- sum_j g_j y_j
  gi:cdiv(xn):addcmul(-1, x, torch.cdiv(gy:expandAs(x), xn):cdiv(xn))
  self.gradInput:resizeAs(input):copy(gi:viewAs(input))
  return self.gradInput
end

-- dy_j/dw_j = x / (||w_j|| ||x||) - y_j w_j / ||w_j||^2
function Cosine:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local x = batched(input)
  local outputSize = self.weight:size(1)
  local g = gradOutput:contiguous():view(x:size(1), outputSize)
  local y = self.output:view(x:size(1), outputSize)
  local wn = self._weightNorm:expandAs(self.weight)
  local xs = torch.cdiv(x, self._inputNorm:expandAs(x))
  local grad = torch.mm(g:t(), xs)                                   -- sum_b g_bj x_b / ||x_b||
  local gy = torch.cmul(g, y):sum(1):view(outputSize, 1)             -- sum_b g_bj y_bj
  grad:addcmul(-1, self.weight, torch.cdiv(gy:expandAs(self.weight), wn))
  grad:cdiv(wn)
  self.gradWeight:add(scale, grad)
end

function Cosine:type(type_name, tensorCache)
  if type_name then nn.utils.clear(self, "_weightNorm", "_inputNorm") end
  return parent.type(self, type_name, tensorCache)
end

function Cosine:clearState()
  nn.utils.clear(self, "_weightNorm", "_inputNorm")
  return parent.clearState(self)
end

return Cosine
