-- nn.IndexLinear(inputSize, outputSize [, doGradInput, keysOffset, weight, bias, normalize]):
-- a Linear layer on sparse input given as keys (1-based feature numbers, LongTensor) and
-- values. Input forms: {keys, values} (one sample), {{keys...}, {values...}} (a batch),
-- or {keys, values, sizes} (a batch flattened, sizes[i] keys per sample).
-- weight is inputSize x outputSize (one row per feature, the transpose of Linear's) and
-- starts at zero, as Torch7's does: call reset() to draw it. Gradients are kept dense per
-- key in running.gradWeight[i] (one row per key of the i-th accumulated batch), and
-- updateParameters applies them to the touched rows only.
-- With normalize, every weight row has 4 leading columns of per-feature state: the largest
-- |value| seen in training, its inverse, an update scale, and a per-feature bias; values are
-- divided by that maximum (clamped to +-1) before use.
local torch = require "torch"
local P = require "nn.parameters"
local IndexLinear, parent = torch.class("nn.IndexLinear", "nn.Module")

function IndexLinear:__init(inputSize, outputSize, doGradInput, keysOffset, weight, bias, normalize)
  parent.__init(self)
  self.normalize = normalize and 4 or 0
  self.weight = weight or torch.Tensor(inputSize, outputSize + self.normalize):zero()
  self.bias = bias or torch.Tensor(outputSize):zero()
  self.inputSize = self.weight:size(1)
  self.outputSize = self.weight:size(2) - self.normalize
  self.gradWeight = torch.Tensor()       -- unused: gradients are dense per key in `running`
  self.gradBias = torch.Tensor(self.outputSize):zero()
  self.gradWeightBuffer = torch.Tensor()
  self.valuesBuffer = torch.Tensor()
  self.normalizedValues = torch.Tensor()
  self.running = { cumSumSizes = {}, keys = {}, gradWeight = {}, counter = 1 }
  self.sizesCache = {}
  self.cumSumSizesCache = {}
  self.weightDecay = 0
  self.doGradInput = doGradInput or false
  self.offset = keysOffset and keysOffset - 1 or -1   -- row = key + offset (0-based)
end

function IndexLinear:reset(stdv)
  P.reset_uniform(self, stdv, self.weight:size(2))
  self.bias:mul(0.000001)
  if self.normalize > 0 then self.weight[{ {}, { 1, self.normalize } }]:zero() end
end

local function fail(msg) error("nn.IndexLinear: " .. msg, 4) end

-- keys (LongTensor), values and per-sample sizes of any input form; sets isFlat/noBatch
local function flatten(self, input)
  if type(input) ~= "table" or (#input ~= 2 and #input ~= 3) then
    fail("input must be {keys, values}, {{keys...}, {values...}} or {keys, values, sizes}")
  end
  local keys, values, sizes
  if #input == 3 then
    keys, values = input[1], input[2]
    sizes = torch.isTensor(input[3]) and input[3] or torch.LongTensor({ input[3] })
    if keys:dim() ~= 1 or keys:nElement() ~= values:nElement() then
      fail("keys and values should be 1D and of the same size")
    end
    self.isFlat, self.noBatch = true, false
  else
    local lkeys, lvalues = input[1], input[2]
    if torch.isTensor(lkeys) and torch.isTensor(lvalues) then
      lkeys, lvalues = { lkeys }, { lvalues }
      self.isFlat, self.noBatch = false, true
    elseif type(lkeys) == "table" and type(lvalues) == "table" then
      self.isFlat, self.noBatch = false, false
    else
      fail("wrong input format")
    end
    sizes = torch.LongTensor(#lkeys)
    for i = 1, #lkeys do
      if lkeys[i]:dim() ~= 1 or lvalues[i]:dim() ~= 1 or lkeys[i]:nElement() ~= lvalues[i]:nElement() then
        fail("keys and values should be 1D and of the same size")
      end
      sizes[i] = lkeys[i]:nElement()
    end
    keys = torch.cat(lkeys, 1)
    values = torch.cat(lvalues, 1)
  end
  local rows = keys:long():add(self.offset + 1)      -- 1-based weight rows
  if rows:nElement() > 0 and (rows:min() < 1 or rows:max() > self.inputSize) then
    fail(string.format("a key is out of range [1, %d]", self.inputSize))
  end
  if sizes:sum() ~= keys:nElement() then fail("sizes do not add up to the number of keys") end
  local counter = self.running.counter
  self.running.keys[counter] = keys:long()
  self.keys = self.running.keys[counter]
  self.values = values:typeAs(self.weight):contiguous()
  self.sizes = sizes:long()
  self.cumSumSizes = torch.cumsum(self.sizes, 1)
  self.running.cumSumSizes[counter] = self.cumSumSizes
  self.rows = rows
end

-- the per-feature state columns (max |value|, its inverse, update scale, bias) of row r
local MAX, INV, SCALE, SHIFT = 1, 2, 3, 4

-- the values after max-normalisation, updating the per-feature maxima in training
local function normalized(self)
  local out = self.normalizedValues:resize(self.values:nElement())
  local w = self.weight
  for i = 1, self.values:nElement() do
    local r, v = self.rows[i], self.values[i]
    local absVal = math.abs(v)
    if self.train then
      if absVal > w[r][MAX] then
        w[r][MAX] = absVal
        w[r][INV] = 1 / absVal
      end
      w[r][SCALE] = 1
    end
    local sign = v < 0 and -1 or (v > 0 and 1 or 0)
    out[i] = (absVal > w[r][MAX] and sign or v * w[r][INV]) + w[r][SHIFT]
  end
  return out
end

-- the columns of weight that multiply the values
local function linearPart(self)
  return self.weight:narrow(2, self.normalize + 1, self.outputSize)
end

-- lin[rows[i]] += scale * src[i] for every i (repeated rows add up), a block of rows at a
-- time so that no temporary grows with the number of keys
local BLOCK = 65536
local function addRows(lin, rows, src, scale)
  local n = rows:nElement()
  for first = 1, n, BLOCK do
    local count = math.min(BLOCK, n - first + 1)
    local part = src:narrow(1, first, count)
    if scale ~= 1 then part = part:clone():mul(scale) end
    lin:indexAdd(1, rows:narrow(1, first, count), part)
  end
end

-- output row = bias + sum_k value_k * weight row of key k
local function accumulateSample(self, row, rows, values)
  local w = linearPart(self)
  local n = rows:nElement()
  if n * self.outputSize <= self.inputSize then
    row:addmv(w:index(1, rows):t(), values)
  else
    -- many keys: scatter the values into a dense input and multiply once
    self._dense = self._dense or values.new()
    self._dense:resize(self.inputSize):zero():indexAdd(1, rows, values)
    row:addmv(w:t(), self._dense)
  end
end

function IndexLinear:updateOutput(input)
  flatten(self, input)
  local values = self.normalize > 0 and normalized(self) or self.values
  local batch = self.sizes:nElement()
  self.output:resize(batch, self.outputSize)
  local first = 1
  for j = 1, batch do
    local n = self.sizes[j]
    local row = self.output[j]:copy(self.bias)
    if n > 0 then accumulateSample(self, row, self.rows:narrow(1, first, n), values:narrow(1, first, n)) end
    first = first + n
  end
  if self.noBatch then self.output:resize(self.outputSize) end
  return self.output
end

-- gradOutput as batch x outputSize
local function batchGrad(self, gradOutput)
  if gradOutput:dim() == 1 then return gradOutput:view(1, gradOutput:nElement()) end
  return gradOutput
end

function IndexLinear:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local counter = self.running.counter
  local values = self.normalize > 0 and self.normalizedValues or self.values
  local g = batchGrad(self, gradOutput)
  local width = self.outputSize * (self.normalize > 0 and 2 or 1)
  local grad = self.running.gradWeight[counter] or self.values.new()
  grad:resize(self.keys:nElement(), width)
  local first = 1
  for j = 1, self.sizes:nElement() do
    local n = self.sizes[j]
    self.gradBias:add(scale, g[j])
    if n > 0 then
      local block = grad:narrow(1, first, n)
      local dense = block:narrow(2, width - self.outputSize + 1, self.outputSize)
      dense:zero():addr(values:narrow(1, first, n), g[j]):mul(scale)
      -- normalize: the first half keeps the scaled gradOutput, for the per-feature bias
      if self.normalize > 0 then
        block:narrow(2, 1, self.outputSize):copy(g[j]:view(1, self.outputSize):expand(n, self.outputSize)):mul(scale)
      end
    end
    first = first + n
  end
  self.running.gradWeight[counter] = grad
  self.running.counter = counter + 1
end

function IndexLinear:accUpdateGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local g = batchGrad(self, gradOutput)
  if self.normalize == 0 and self.weightDecay == 0 then
    -- no per-feature state: every key's step is independent of the others
    local lin = linearPart(self)
    local first = 1
    for j = 1, self.sizes:nElement() do
      local n = self.sizes[j]
      self.bias:add(-scale, g[j])
      for from = first, first + n - 1, BLOCK do
        local count = math.min(BLOCK, first + n - from)
        local steps = torch.ger(self.values:narrow(1, from, count), g[j]):mul(-scale)
        lin:indexAdd(1, self.rows:narrow(1, from, count), steps)
      end
      first = first + n
    end
    return
  end
  local values = self.normalize > 0 and self.normalizedValues or self.values
  local w = self.weight
  local lin = linearPart(self)
  local first = 1
  for j = 1, self.sizes:nElement() do
    self.bias:add(-scale, g[j])
    for i = first, first + self.sizes[j] - 1 do
      local r = self.rows[i]
      local step, decay = values[i] * scale, self.weightDecay
      if self.normalize > 0 then
        step, decay = step * w[r][SCALE], decay * w[r][SCALE]
        w[r][SHIFT] = w[r][SHIFT] - lin[r]:dot(g[j]) * scale * w[r][SCALE]
      end
      if self.weightDecay ~= 0 then lin[r]:mul(1 - decay) end
      lin[r]:add(-step, g[j])
    end
    first = first + self.sizes[j]
  end
end

function IndexLinear:updateGradInput(input, gradOutput)
  self.gradInput = {}
  if self.doGradInput and self.normalize > 0 then
    error("nn.IndexLinear: updateGradInput is not implemented in max-normalize mode", 2)
  end
  local inputSize = self.weight:size(1)
  if self.doGradInput then
    local dense = torch.mm(batchGrad(self, gradOutput), linearPart(self):t())   -- batch x inputSize
    local indices = torch.range(1, inputSize):long()
    if self.isFlat then
      self.gradInput[1] = indices:view(1, inputSize):expand(dense:size(1), inputSize):clone()
      self.gradInput[2] = dense
    else
      self.gradInput[1], self.gradInput[2] = {}, {}
      for i = 1, dense:size(1) do
        self.gradInput[1][i] = indices:clone()
        self.gradInput[2][i] = dense[i]:clone()
      end
    end
    if self.noBatch then
      self.gradInput = { self.gradInput[1][1], self.gradInput[2][1] }
    end
  end
  return self.gradInput
end

-- applies every gradient accumulated since zeroGradParameters to the rows it touched
function IndexLinear:updateParameters(lr)
  if not lr then error("nn.IndexLinear: you must specify a learning rate", 2) end
  local counter = self.running.counter
  if counter <= 1 then return end
  self.bias:add(-lr, self.gradBias)
  local w = self.weight
  local lin = linearPart(self)
  local n = self.outputSize
  if self.normalize == 0 and self.weightDecay == 0 then
    for c = 1, counter - 1 do
      addRows(lin, self.running.keys[c]:clone():add(self.offset + 1), self.running.gradWeight[c], -lr)
    end
    return
  end
  for c = 1, counter - 1 do
    local keys, grad = self.running.keys[c], self.running.gradWeight[c]
    for i = 1, keys:nElement() do
      local r = keys[i] + self.offset + 1
      local rate, decay = lr, self.weightDecay
      local dense = grad[i]
      if self.normalize > 0 then
        rate, decay = rate * w[r][SCALE], decay * w[r][SCALE]
        w[r][SHIFT] = w[r][SHIFT] - dense:narrow(1, 1, n):dot(lin[r]) * rate
        dense = dense:narrow(1, n + 1, n)
      end
      if self.weightDecay ~= 0 then lin[r]:mul(1 - decay) end
      lin[r]:add(-rate, dense)
    end
  end
end

function IndexLinear:zeroGradParameters()
  self.gradBias:zero()
  self.running.counter = 1
end

function IndexLinear:parameters()
  return { self.weight, self.bias }, { self.running, self.gradBias }
end

-- the per-key buffers hold LongTensor keys, which a type change must not convert
function IndexLinear:type(type_name, tensorCache)
  if type_name then self:clearState() end
  return parent.type(self, type_name, tensorCache)
end

function IndexLinear:clearState()
  self.running.keys = {}
  self.running.gradWeight = {}
  self.running.cumSumSizes = {}
  self.keys, self.values, self.sizes, self.rows, self.updateKeys = nil, nil, nil, nil, nil
  self._dense = nil
  self.gradWeightBuffer = self.gradWeightBuffer.new()
  self.valuesBuffer = self.valuesBuffer.new()
  return parent.clearState(self)
end

return IndexLinear
