-- nn.SparseLinear(inputSize, outputSize [, doGradInput=false]): a Linear layer on sparse
-- input. One sample is an nnz x 2 tensor of (1-based index, value) rows; a batch is a
-- table of them, or (legacy) a batch x nnz x 2 tensor. With doGradInput the gradient
-- with respect to the input is dense, as inputSize x 2 (index, gradient) rows per sample.
-- The bias starts tiny (uniform * 1e-6), as in Torch7.
local torch = require "torch"
local P = require "nn.parameters"
local SparseLinear, parent = torch.class("nn.SparseLinear", "nn.Module")

-- sparseUpdate states (Torch7's): whether the last accumulated input alone made the gradients
local NO_LAST_INPUT, ONE_LAST_INPUT, ACC_MULTIPLE_TIMES = 0, 1, 2

function SparseLinear:__init(inputSize, outputSize, doGradInput)
  parent.__init(self)
  self.weightDecay = 0
  self.doGradInput = doGradInput or false
  if type(self.doGradInput) ~= "boolean" then error("nn.SparseLinear: doGradInput must be a boolean", 2) end
  self.weight = torch.Tensor(outputSize, inputSize):zero()
  self.bias = torch.Tensor(outputSize):zero()
  self.gradWeight = torch.Tensor(outputSize, inputSize):zero()
  self.gradBias = torch.Tensor(outputSize):zero()
  self.lastInput = nil
  self.sparseUpdate = NO_LAST_INPUT
  self.gradInput = {}
  self.output:resize(outputSize)
  self:reset()
end

function SparseLinear:reset(stdv)
  P.reset_uniform(self, stdv, self.weight:size(2))
  self.bias:mul(0.000001)
end

-- the samples as a list of nnz x 2 tensors; batch mode; legacy (3-D) mode
local function samples(input)
  if type(input) == "table" then return input, true, false end
  if input:dim() == 2 then return { input }, false, false end
  if input:dim() == 3 then
    local list = {}
    for i = 1, input:size(1) do list[i] = input[i] end
    return list, true, true
  end
  error("nn.SparseLinear: input must be an nnz x 2 tensor, a table of them or a batch x nnz x 2 tensor", 3)
end

-- the index column of one sample as a LongTensor, checked against inputSize
local function columns(self, sample)
  local idx = sample:select(2, 1):long()
  if idx:nElement() > 0 and (idx:min() < 1 or idx:max() > self.weight:size(2)) then
    error(string.format("nn.SparseLinear: index out of range [1, %d]", self.weight:size(2)), 4)
  end
  return idx
end

function SparseLinear:updateOutput(input)
  if self.sparseUpdate == ONE_LAST_INPUT then self.sparseUpdate = ACC_MULTIPLE_TIMES end
  local list, batchMode, legacy = samples(input)
  self.legacyMode = legacy
  local outputSize = self.weight:size(1)
  if #list == 0 then
    self.output:resize(outputSize):copy(self.bias)
    return self.output
  end
  self.output:resize(#list, outputSize)
  for b, sample in ipairs(list) do
    local row = self.output[b]:copy(self.bias)
    if sample:size(1) > 0 then
      local w = self.weight:index(2, columns(self, sample))       -- outputSize x nnz
      row:addmv(w, sample:select(2, 2))
    end
  end
  if not batchMode then self.output = self.output[1] end
  return self.output
end

function SparseLinear:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local list = samples(input)
  if self.sparseUpdate == NO_LAST_INPUT then
    self.lastInput = {}
    for i, sample in ipairs(list) do self.lastInput[i] = sample:clone() end
    self.sparseUpdate = ONE_LAST_INPUT
  elseif self.sparseUpdate == ONE_LAST_INPUT then
    self.sparseUpdate = ACC_MULTIPLE_TIMES
  end
  local g = gradOutput
  if g:dim() == 1 then g = g:view(1, g:size(1)) end
  for b, sample in ipairs(list) do
    if sample:size(1) > 0 then
      -- gradWeight[:, idx_k] += scale * g_b * value_k
      local outer = torch.ger(g[b], sample:select(2, 2)):mul(scale)
      self.gradWeight:indexAdd(2, columns(self, sample), outer)
    end
  end
  self.gradBias:add(scale, g:sum(1):view(-1))
  if self.weightDecay ~= 0 then self.gradWeight:add(self.weightDecay, self.weight) end
end

-- One nnz x 2 sample without doGradInput: Torch7's older SparseLinear (whose nn test file
-- still checks it with nn.SparseJacobian) gave the gradient at each nonzero, as nnz x 2
-- (index, d output . gradOutput / d value) rows; the newer one left an empty table there.
local function sparseGradInput(self, sample, gradOutput)
  local gi = torch.isTensor(self.gradInput) and self.gradInput or gradOutput.new()
  gi:resizeAs(sample)
  gi:select(2, 1):copy(sample:select(2, 1))
  if sample:size(1) > 0 then
    gi:select(2, 2):mv(self.weight:index(2, columns(self, sample)):t(), gradOutput)
  end
  return gi
end

function SparseLinear:updateGradInput(input, gradOutput)
  local _, batchMode, legacy = samples(input)
  if not (batchMode or self.doGradInput) then
    self.gradInput = sparseGradInput(self, input, gradOutput)
    return self.gradInput
  end
  if legacy then
    if not torch.isTensor(self.gradInput) then self.gradInput = gradOutput.new() end
    self.gradInput:resizeAs(input)
  else
    self.gradInput = {}
  end
  if not self.doGradInput then return self.gradInput end
  local inputSize = self.weight:size(2)
  local g = gradOutput
  if g:dim() == 1 then g = g:view(1, g:size(1)) end
  local dense = torch.mm(g, self.weight)                             -- batch x inputSize
  local indices = torch.range(1, inputSize):typeAs(dense)
  if legacy then
    self.gradInput:resize(dense:size(1), inputSize, 2)
    self.gradInput:select(3, 1):copy(indices:view(1, inputSize):expandAs(dense))
    self.gradInput:select(3, 2):copy(dense)
  else
    for b = 1, dense:size(1) do
      local rows = gradOutput.new(inputSize, 2)
      rows:select(2, 1):copy(indices)
      rows:select(2, 2):copy(dense[b])
      self.gradInput[b] = rows
    end
  end
  return self.gradInput
end

-- the weight columns the last input touched (nil once gradients were accumulated more
-- than once: then every column is updated). As in Torch7, a weight decay added to the other
-- columns' gradients is not applied by a sparse update.
local function touched(self)
  if not (self.lastInput and self.sparseUpdate == ONE_LAST_INPUT) then
    return nil
  end
  local all = {}
  for _, sample in ipairs(self.lastInput) do
    if sample:size(1) > 0 then all[#all + 1] = columns(self, sample) end
  end
  if #all == 0 then return torch.LongTensor() end
  return torch.cat(all, 1)
end

function SparseLinear:updateParameters(learningRate)
  local cols = touched(self)
  if not cols then return parent.updateParameters(self, learningRate) end
  if cols:nElement() > 0 then
    local updated = self.weight:index(2, cols):add(-learningRate, self.gradWeight:index(2, cols))
    self.weight:indexCopy(2, cols, updated)
  end
  self.bias:add(-learningRate, self.gradBias)
end

function SparseLinear:zeroGradParameters()
  local cols = touched(self)
  if cols then
    if cols:nElement() > 0 then self.gradWeight:indexFill(2, cols, 0) end
    self.gradBias:zero()
  else
    parent.zeroGradParameters(self)
  end
  self.sparseUpdate = NO_LAST_INPUT
end

function SparseLinear:clearState()
  self.lastInput = nil
  self.sparseUpdate = NO_LAST_INPUT
  return parent.clearState(self)
end

return SparseLinear
