-- nn.BatchNormalization(nOutput [, eps=1e-5, momentum=0.1, affine=true]): normalizes each
-- feature of N×nOutput input over the batch, y = (x − mean)/sqrt(var + eps)·weight + bias.
-- Training (the default) uses the batch's statistics and updates running_mean / running_var
-- as running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance;
-- evaluate() uses the running statistics (and accepts a single nOutput sample too).
-- weight starts U(0, 1) and bias 0, as Torch7's reset draws them. The kernel is ATen's
-- native_batch_norm, whose running-average rule is this same one.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local format = string.format
local error, assert, type, pairs = error, assert, type, pairs
local BN, parent = torch.class("nn.BatchNormalization", "nn.Module")

BN.__version = 2

-- expected dimension of input
BN.nDim = 2

function BN:__init(nOutput, eps, momentum, affine)
  parent.__init(self)
  assert(nOutput and type(nOutput) == "number", "Missing argument #1: dimensionality of input. ")
  assert(nOutput ~= 0, "To set affine=false call BatchNormalization(nOutput,  eps, momentum, false) ")
  if affine ~= nil then
    assert(type(affine) == "boolean", "affine has to be true/false")
    self.affine = affine
  else
    self.affine = true
  end
  self.eps = eps or 1e-5
  self.train = true
  self.momentum = momentum or 0.1
  self.running_mean = torch.zeros(nOutput)
  self.running_var = torch.ones(nOutput)
  if self.affine then
    self.weight = torch.Tensor(nOutput)
    self.bias = torch.Tensor(nOutput)
    self.gradWeight = torch.Tensor(nOutput)
    self.gradBias = torch.Tensor(nOutput)
    self:reset()
  end
end

function BN:reset()
  if self.weight then self.weight:uniform() end
  if self.bias then self.bias:zero() end
  self.running_mean:zero()
  self.running_var:fill(1)
end

function BN:checkInputDim(input)
  local iDim = input:dim()
  if not (iDim == self.nDim or (iDim == self.nDim - 1 and self.train == false)) then
    error(format("only mini-batch supported (%dD tensor), got %dD tensor instead", self.nDim, iDim), 3)
  end
  local featDim = (iDim == self.nDim - 1) and 1 or 2
  if input:size(featDim) ~= self.running_mean:nElement() then
    error(format("got %d-feature tensor, expected %d", input:size(featDim),
      self.running_mean:nElement()), 3)
  end
end

-- a single sample in evaluation mode is handled as a batch of one (the output keeps that
-- batch dimension, as in Torch7); returns the handle and whether it must be freed
local function makeBatch(self, input)
  if self.train == false and input:dim() == self.nDim - 1 then
    return call("unsqueeze", input._h, 0), true
  end
  return input._h, false
end

local function optional(t) return t and t._h or nil end

function BN:updateOutput(input)
  self:checkInputDim(input)
  nn.utils.checkType(self, input, self.running_mean)
  local x, made = makeBatch(self, input)
  self.save_mean = self.save_mean or input.new()
  self.save_std = self.save_std or input.new()
  local out, mean, invstd = call("native_batch_norm", x, optional(self.weight), optional(self.bias),
    self.running_mean._h, self.running_var._h, self.train ~= false, self.momentum, self.eps)
  K.release(x, made)
  K.take(self.output, out)
  if self.train ~= false then
    K.take(self.save_mean, mean)
    K.take(self.save_std, invstd)  -- Torch7's save_std holds 1/sqrt(var + eps) too
  else
    K.free(mean, invstd)
  end
  return self.output
end

local function backward(self, input, gradOutput, scale, gradInput, gradWeight, gradBias)
  self:checkInputDim(input)
  self:checkInputDim(gradOutput)
  assert(self.save_mean and self.save_std, "must call :updateOutput() first")
  local train = self.train ~= false
  local x, made = makeBatch(self, input)
  local go, gmade = makeBatch(self, gradOutput)
  local wantParams = gradWeight ~= nil and self.weight ~= nil
  local gi, gw, gb = call("native_batch_norm_backward", go, x, optional(self.weight),
    self.running_mean._h, self.running_var._h, train and self.save_mean._h or nil,
    train and self.save_std._h or nil, train, self.eps, { gradInput ~= nil, wantParams, wantParams })
  K.release(x, made)
  K.release(go, gmade)
  if gradInput then K.take(gradInput, gi) else K.free(gi) end
  if wantParams then
    K.accumulate(gradWeight, gw, scale)
    K.accumulate(gradBias, gb, scale)
  else
    K.free(gw, gb)
  end
  return self.gradInput
end

function BN:backward(input, gradOutput, scale)
  return backward(self, input, gradOutput, scale or 1, self.gradInput, self.gradWeight, self.gradBias)
end

function BN:updateGradInput(input, gradOutput)
  return backward(self, input, gradOutput, 1, self.gradInput)
end

function BN:accGradParameters(input, gradOutput, scale)
  return backward(self, input, gradOutput, scale or 1, nil, self.gradWeight, self.gradBias)
end

-- version 1 files kept running_std (1/sqrt(var + eps)) instead of running_var
function BN:read(file, version)
  local fields = file:readObject()
  for k, v in pairs(fields) do self[k] = v end
  if version < 2 and self.running_std then
    self.running_var = self.running_std:pow(-2):add(-self.eps)
    self.running_std = nil
  end
end

function BN:clearState()
  -- the first five are buffers of older versions, cleared from loaded models
  nn.utils.clear(self, { "buffer", "buffer2", "centered", "std", "normalized", "_input",
    "_gradOutput", "save_mean", "save_std" })
  return parent.clearState(self)
end

function BN:__tostring__()
  return format("%s (%dD) (%d)", torch.type(self), self.nDim, self.running_mean:nElement())
end

return BN
