-- nn.Linear(inputSize, outputSize [, bias=true]): y = W x + b, on 1-D or batched 2-D input.
local torch = require "torch"
local P = require "nn.parameters"
local A = require "nn.affine"
local Linear, parent = torch.class("nn.Linear", "nn.Module")

function Linear:__init(inputSize, outputSize, bias)
  parent.__init(self)
  bias = (bias == nil) and true or bias
  self.weight = torch.Tensor(outputSize, inputSize)
  self.gradWeight = torch.Tensor(outputSize, inputSize)
  if bias then
    self.bias = torch.Tensor(outputSize)
    self.gradBias = torch.Tensor(outputSize)
  end
  self:reset()
end

P.install_noBias(Linear)

-- U(-1/sqrt(in), 1/sqrt(in)) for weight then bias, drawn in that order as Torch7 does
function Linear:reset(stdv)
  return P.reset_uniform(self, stdv, self.weight:size(2))
end

-- a ones vector of the batch size, used to add the bias to every row
function Linear:updateAddBuffer(input)
  local nframe = input:size(1)
  self.addBuffer = self.addBuffer or input.new()
  if self.addBuffer:nElement() ~= nframe then
    self.addBuffer:resize(nframe):fill(1)
  end
end

local function checkInput(self, input)
  nn.utils.checkType(self, input, self.weight)
  local d = input:dim()
  if d ~= 1 and d ~= 2 then
    error("nn.Linear: input must be a vector or a matrix, got a " .. d .. "D tensor", 3)
  end
  local width = input:size(d)
  if width ~= self.weight:size(2) then
    error(string.format("size mismatch: nn.Linear(%d -> %d) got input of size %s with %d features, expected %d",
      self.weight:size(2), self.weight:size(1), table.concat(input:size():totable(), "x"), width,
      self.weight:size(2)), 3)
  end
end

function Linear:updateOutput(input)
  checkInput(self, input)
  if input:dim() == 1 then
    self.output:resize(self.weight:size(1))
    if self.bias then self.output:copy(self.bias) else self.output:zero() end
    self.output:addmv(1, self.weight, input)
  else
    local nframe = input:size(1)
    self.output:resize(nframe, self.weight:size(1))
    self:updateAddBuffer(input)
    self.output:addmm(0, self.output, 1, input, self.weight:t())
    if self.bias then self.output:addr(1, self.addBuffer, self.bias) end
  end
  return self.output
end

function Linear:updateGradInput(input, gradOutput)
  if self.gradInput then
    local nElement = self.gradInput:nElement()
    self.gradInput:resizeAs(input)
    if self.gradInput:nElement() ~= nElement then self.gradInput:zero() end
    if input:dim() == 1 then
      self.gradInput:addmv(0, 1, self.weight:t(), gradOutput)
    else
      self.gradInput:addmm(0, 1, gradOutput, self.weight)
    end
    return self.gradInput
  end
end

function Linear:accGradParameters(input, gradOutput, scale)
  A.accumulate(self, self.gradWeight, input, gradOutput, scale or 1)
end

function Linear:clearState()
  if self.addBuffer then self.addBuffer:set() end
  return parent.clearState(self)
end

function Linear:__tostring__()
  return torch.type(self) .. string.format("(%d -> %d)", self.weight:size(2), self.weight:size(1)) ..
    (self.bias == nil and " without bias" or "")
end

return Linear
