-- nn.Convert([inputShape] [, outputShape]): converts between data layouts named by letters,
-- b = batch, c/h/w = channels/height/width, f = features, t = targets; e.g.
-- nn.Convert('bchw', 'bf') flattens images to feature vectors, nn.Convert('bhwc', 'bchw')
-- permutes axes. A layout without b is taken as one sample (b added, then removed). The
-- input is also converted to this module's tensor type. The converter (a Transpose,
-- Reshape, Select, ...) is built at the first forward and kept in self.modules[1].
local torch = require "torch"
local _ = require "moses"
local Convert, parent = torch.class("nn.Convert", "nn.Container")

function Convert:__init(inputShape, outputShape)
  if outputShape and not inputShape then
    error("nn.Convert(inputShape, outputShape): outputShape given without an inputShape", 2)
  end
  inputShape = inputShape or "b*"
  outputShape = outputShape or inputShape
  self.inputShape = inputShape:find("b") and inputShape or ("b" .. inputShape)
  self.outputShape = outputShape:find("b") and outputShape or ("b" .. outputShape)
  self.inputBatchDim = self.inputShape:find("b")
  self.outputBatchDim = self.outputShape:find("b")
  if self.inputShape == "b*" or self.outputShape == "b*" then
    if self.inputShape ~= "b*" or self.outputShape ~= "b*" then
      error("nn.Convert: both or neither shapes must be b*", 2)
    end
    self.nInputDim, self.nOutputDim = -1, -1
    self.transposition = true
  else
    self.nInputDim, self.nOutputDim = #self.inputShape, #self.outputShape
    -- same letters in another order: a permutation of axes
    if self.nInputDim == self.nOutputDim then
      self.transposition = _.all(_.range(1, self.nInputDim), function(i)
        return self.outputShape:find(self.inputShape:sub(i, i), 1, true) ~= nil
      end)
    end
  end
  parent.__init(self)
end

function Convert:buildConverter(input)
  if self.transposition then
    self.converter = self:transpose(self.outputShape)
  else
    local build = self[self.outputShape]
    if type(build) ~= "function" then
      error(string.format("nn.Convert: no conversion of shape %s to %s", self.inputShape,
        self.outputShape), 3)
    end
    self.converter = build(self, input)
  end
  self.converter:type(torch.type(self.output))
  self.modules[1] = self.converter
end

function Convert:updateOutput(input)
  if not torch.isTensor(input) then error("nn.Convert: expecting a tensor input", 2) end
  if not torch.isTypeOf(input, torch.type(self.output)) then
    self._input = self._input or self.output.new()
    self._input:resize(input:size()):copy(input)
    input = self._input
  end
  self.batchMode = true
  if input:dim() < self.nInputDim then
    local size = input:size():totable()
    table.insert(size, self.inputBatchDim, 1)
    self.__input = self.__input or input.new()
    self.__input:set(input):resize(torch.LongStorage(size))
    input = self.__input
    self.batchMode = false
  end
  if not self.converter then self:buildConverter(input) end
  self.output = self.converter:updateOutput(input)
  if not self.batchMode then
    local size = self.output:size():totable()
    table.remove(size, self.outputBatchDim)
    self.__output = self.__output or self.output.new()
    self.__output:set(self.output):resize(torch.LongStorage(size))
    self.output = self.__output
  end
  return self.output
end

function Convert:updateGradInput(input, gradOutput)
  local original = input
  input = self._input or input
  if not self.batchMode then
    input = self.__input
    self.__gradOutput = self.__gradOutput or gradOutput.new()
    self.__gradOutput:set(gradOutput:contiguous()):resize(self.converter.output:size())
    gradOutput = self.__gradOutput
  end
  local gradInput = self.converter:updateGradInput(input, gradOutput)
  if not self.batchMode then
    self.__gradInput = self.__gradInput or gradInput.new()
    self.__gradInput:set(gradInput:contiguous()):resize(original:size())
    gradInput = self.__gradInput
  end
  if self._input then
    self._gradInput = self._gradInput or original.new()
    self._gradInput:resize(original:size()):copy(gradInput)
    self.gradInput = self._gradInput
  else
    self.gradInput = gradInput
  end
  return self.gradInput
end

function Convert:accGradParameters(input, gradOutput, scale)
  input = self.batchMode and (self._input or input) or self.__input
  gradOutput = self.batchMode and gradOutput or self.__gradOutput
  self.converter:accGradParameters(input, gradOutput, scale)
end

-- batch x features: the batch axis first, every other axis flattened into one
function Convert:bf(input)
  local bPos = self:findAxis("b", self.inputShape)
  local dim = #self.inputShape
  if self.inputShape == "bt" then error("nn.Convert: no conversion of shape bt to bf", 3) end
  if dim == 1 then return nn.Reshape(1) end
  local converter
  if bPos ~= 1 then converter = nn.Transpose({ 1, bPos }) end
  if dim > 2 then
    local reshape = nn.Reshape(input:select(bPos, 1):nElement())
    converter = converter and nn.Sequential():add(converter):add(reshape) or reshape
  end
  return converter or nn.Identity()
end

-- one scalar per sample: the first target or the only feature
function Convert:b(input)
  if self.inputShape == "bt" or self.inputShape == "tb" then
    return nn.Select(self:findAxis("t"), 1)
  elseif self.inputShape == "bf" or self.inputShape == "fb" then
    local fPos = self:findAxis("f")
    if input:size(fPos) > 1 then
      error("nn.Convert: cannot convert shape " .. self.inputShape .. " to b when feature > 1", 3)
    end
    return nn.Select(fPos, 1)
  end
  error("nn.Convert: cannot convert shape " .. self.inputShape .. " to shape b", 3)
end

function Convert:default() return nn.Identity() end

-- batch x targets, from one target per sample
function Convert:bt()
  if self.inputShape == "b" then return nn.Reshape(1) end
  error("nn.Convert: cannot convert shape '" .. self.inputShape .. "' to bt", 3)
end

-- the permutation taking inputShape's axes to newShape's, as a list of swaps
function Convert:transpose(newShape)
  if newShape == self.inputShape then return nn.Identity() end
  local axes = {}
  for i = 1, #self.inputShape do axes[i] = self.inputShape:sub(i, i) end
  local swaps = {}
  for i = 1, #newShape do
    local j = _.indexOf(axes, newShape:sub(i, i))
    if i ~= j then
      axes[i], axes[j] = axes[j], axes[i]
      swaps[#swaps + 1] = { j, i }
    end
  end
  return nn.Transpose(unpack(swaps))
end

function Convert:findAxis(axis, shape, silent)
  shape = shape or self.inputShape
  local pos = shape:find(axis, 1, true)
  if not silent and not pos then
    error("nn.Convert: shape '" .. shape .. "' has no axis '" .. axis .. "'", 2)
  end
  return pos
end

function Convert:type(typeName, tensorCache)
  if typeName and not torch.isTypeOf(self.output, typeName) then
    self._input, self._gradInput, self.__input, self.__output = nil, nil, nil, nil
    self.__gradInput, self.__gradOutput = nil, nil
  end
  return parent.type(self, typeName, tensorCache)
end

return Convert
