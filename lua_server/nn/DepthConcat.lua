-- nn.DepthConcat(dim): like nn.Concat, but the modules' outputs may differ in their other
-- dimensions: each is centred in a zero-padded window of the largest size (start offset
-- floor((max - size) / 2) + 1), as Inception-style networks need.
local torch = require "torch"
local DepthConcat, parent = torch.class("nn.DepthConcat", "nn.Concat")

-- the part of `output` where a module output of currentOutput's size lands
function DepthConcat:windowNarrow(output, currentOutput, offset)
  local window = output:narrow(self.dimension, offset, currentOutput:size(self.dimension))
  for d = 1, self.outputSize:size() do
    local size = currentOutput:size(d)
    if d ~= self.dimension and self.outputSize[d] ~= size then
      window = window:narrow(d, math.floor((self.outputSize[d] - size) / 2) + 1, size)
    end
  end
  return window
end

function DepthConcat:updateOutput(input)
  local outs = {}
  for i = 1, #self.modules do
    local out = self:rethrowErrors(self.modules[i], i, "updateOutput", input)
    outs[i] = out
    if i == 1 then
      self.outputSize:resize(out:dim()):copy(out:size())
    else
      if out:dim() ~= self.outputSize:size() then
        error(string.format("nn.DepthConcat: module %d gave a %dD output, module 1 a %dD one", i,
          out:dim(), self.outputSize:size()), 2)
      end
      for d = 1, self.outputSize:size() do
        if d == self.dimension then
          self.outputSize[d] = self.outputSize[d] + out:size(d)
        else
          self.outputSize[d] = math.max(self.outputSize[d], out:size(d))
        end
      end
    end
  end
  self.output:resize(self.outputSize):zero()
  local offset = 1
  for i = 1, #outs do
    self:windowNarrow(self.output, outs[i], offset):copy(outs[i])
    offset = offset + outs[i]:size(self.dimension)
  end
  return self.output
end

-- run method on every module with its window of gradOutput
local function eachWindow(self, gradOutput, f)
  local offset = 1
  for i, module in ipairs(self.modules) do
    f(i, module, self:windowNarrow(gradOutput, module.output, offset))
    offset = offset + module.output:size(self.dimension)
  end
end

function DepthConcat:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input)
  eachWindow(self, gradOutput, function(i, module, window)
    local gi = self:rethrowErrors(module, i, "updateGradInput", input, window)
    if i == 1 then self.gradInput:copy(gi) else self.gradInput:add(gi) end
  end)
  return self.gradInput
end

function DepthConcat:accGradParameters(input, gradOutput, scale)
  eachWindow(self, gradOutput, function(i, module, window)
    self:rethrowErrors(module, i, "accGradParameters", input, window, scale or 1)
  end)
end

function DepthConcat:backward(input, gradOutput, scale)
  self.gradInput:resizeAs(input)
  eachWindow(self, gradOutput, function(i, module, window)
    local gi = self:rethrowErrors(module, i, "backward", input, window, scale or 1)
    if i == 1 then self.gradInput:copy(gi) else self.gradInput:add(gi) end
  end)
  return self.gradInput
end

function DepthConcat:accUpdateGradParameters(input, gradOutput, lr)
  eachWindow(self, gradOutput, function(i, module, window)
    self:rethrowErrors(module, i, "accUpdateGradParameters", input, window, lr)
  end)
end

return DepthConcat
