-- nn.LookupTable(nIndex, nOutput [, paddingValue=0, maxNorm, normType=2]): rows of weight
-- picked by 1-based indices (a LongTensor of n, or of b x n). Rows whose index is
-- paddingValue get no gradient; with maxNorm, looked-up rows are renormalized in place
-- first. Version 4 on disk.
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local LookupTable, parent = torch.class("nn.LookupTable", "nn.Module")

LookupTable.__version = 4

function LookupTable:__init(nIndex, nOutput, paddingValue, maxNorm, normType)
  parent.__init(self)
  self.weight = torch.Tensor(nIndex, nOutput)
  self.gradWeight = torch.Tensor(nIndex, nOutput):zero()
  self.paddingValue = paddingValue or 0
  self.maxNorm = maxNorm or nil
  self.normType = normType or nil
  self:reset()
end

function LookupTable:backCompatibility()
  self._count = self._count or torch.IntTensor()
  self._input = self._input or torch.LongTensor()
  if not self.shouldScaleGradByFreq then self.shouldScaleGradByFreq = false end
end

-- Files of versions 1 and 2 hold weight as nOutput x nIndex; since version 3 it is
-- nIndex x nOutput.
function LookupTable:read(file, version)
  local fields = file:readObject()
  for k, v in pairs(fields) do self[k] = v end
  if version < 3 then
    for _, name in ipairs { "weight", "gradWeight" } do
      local w = self[name]
      if torch.isTensor(w) and w:dim() == 2 then self[name] = w:t():contiguous() end
    end
  end
  self:backCompatibility()
end

function LookupTable:accUpdateOnly()
  self.gradWeight = nil
  return self
end

function LookupTable:setPadding(paddingValue)
  self.paddingValue = paddingValue
  return self
end

function LookupTable:setMaxNorm(maxNorm)
  self.maxNorm = maxNorm
  return self
end

function LookupTable:setNormType(normType)
  self.normType = normType
  return self
end

function LookupTable:scaleGradByFreq()
  self.shouldScaleGradByFreq = true
  return self
end

function LookupTable:reset(stdv)
  self.weight:normal(0, stdv or 1)
end

-- a contiguous LongTensor of the indices (copied into _input when needed)
function LookupTable:makeInputContiguous(input)
  if not input:isContiguous() or torch.type(input) ~= torch.type(self._input) then
    self.copiedInput = true
    self._input:resize(input:size()):copy(input)
    return self._input
  end
  self.copiedInput = false
  return input
end

local function flatIndices(input)
  if input:dim() == 2 then return input:view(-1) end
  if input:dim() ~= 1 then error("nn.LookupTable: input must be a vector or matrix", 3) end
  return input
end

function LookupTable:updateOutput(input)
  self:backCompatibility()
  self:renorm(input)
  input = self:makeInputContiguous(input)
  local idx = flatIndices(input)
  self.output:index(self.weight, 1, idx)
  if input:dim() == 2 then
    self.output = self.output:view(input:size(1), input:size(2), self.weight:size(2))
  end
  return self.output
end

-- indices carry no gradient: a zero tensor shaped (and typed) like the input
function LookupTable:updateGradInput(input, gradOutput)
  if torch.type(self.gradInput) ~= torch.type(input) then self.gradInput = input.new() end
  if not self.gradInput:isSameSizeAs(input) then self.gradInput:resizeAs(input):zero() end
  return self.gradInput
end

function LookupTable:accGradParameters(input, gradOutput, scale)
  self:backCompatibility()
  scale = scale or 1
  input = self.copiedInput and self._input or input
  local idx = flatIndices(input)
  local n, nOutput = idx:nElement(), self.weight:size(2)
  local g = gradOutput:contiguous():view(n, nOutput)
  local idx0 = call("sub.Scalar", idx._h, 1, 1)
  local pad = self.paddingValue or 0
  if self.shouldScaleGradByFreq or (pad > 0 and idx:eq(pad):any()) then
    -- ATen's embedding backward knows padding and frequency scaling
    local gw = call("embedding_dense_backward", g._h, idx0, self.weight:size(1), pad - 1,
      self.shouldScaleGradByFreq or false)
    run("add_.Tensor", self.gradWeight._h, gw, scale)
  else
    run("index_add_", self.gradWeight._h, 0, idx0, g._h, scale)
  end
end

-- rows used by the input whose normType-norm exceeds maxNorm are scaled down to it
function LookupTable:renorm(input)
  if not self.maxNorm then return end
  self._input:resize(input:size()):copy(input)
  local idx = flatIndices(self._input)
  local idx0 = call("sub.Scalar", idx._h, 1, 1)
  run("embedding_renorm_", self.weight._h, idx0, self.maxNorm, self.normType or 2)
end

function LookupTable:type(type, tensorCache)
  parent.type(self, type, tensorCache)
  -- the index buffers stay Int/Long whatever the weight type
  self._count = torch.IntTensor()
  self._input = torch.LongTensor()
  return self
end

function LookupTable:clearState()
  nn.utils.clear(self, "_count", "_input", "_gradOutput")
  return parent.clearState(self)
end

-- the update needs no accumulation when sharing
LookupTable.sharedAccUpdateGradParameters = LookupTable.accUpdateGradParameters

return LookupTable
