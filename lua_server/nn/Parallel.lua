-- nn.Parallel(inputDimension, outputDimension): module i gets input:select(inputDimension, i);
-- the outputs are joined along outputDimension.
local torch = require "torch"
local Parallel, parent = torch.class("nn.Parallel", "nn.Container")

function Parallel:__init(inputDimension, outputDimension)
  parent.__init(self)
  self.modules = {}
  self.inputDimension = inputDimension
  self.outputDimension = outputDimension
end

function Parallel:updateOutput(input)
  local nModule = input:size(self.inputDimension)
  local outputs = {}
  self.totalOutputSize = self.totalOutputSize or torch.LongStorage()
  local total = self.totalOutputSize
  local od = self.outputDimension
  for i = 1, nModule do
    local out = self:rethrowErrors(self.modules[i], i, "updateOutput", input:select(self.inputDimension, i))
    outputs[i] = out
    if i == 1 then
      total:resize(out:dim()):copy(out:size())
    else
      total[od] = total[od] + out:size(od)
    end
  end
  self.output:resize(total)
  local offset = 1
  for i = 1, nModule do
    local n = outputs[i]:size(od)
    self.output:narrow(od, offset, n):copy(outputs[i])
    offset = offset + n
  end
  return self.output
end

function Parallel:updateGradInput(input, gradOutput)
  local nModule = input:size(self.inputDimension)
  self.gradInput:resizeAs(input)
  local offset = 1
  for i = 1, nModule do
    local module = self.modules[i]
    local n = module.output:size(self.outputDimension)
    local gi = self:rethrowErrors(module, i, "updateGradInput", input:select(self.inputDimension, i),
      gradOutput:narrow(self.outputDimension, offset, n))
    self.gradInput:select(self.inputDimension, i):copy(gi)
    offset = offset + n
  end
  return self.gradInput
end

local function each(self, method, input, gradOutput, arg)
  local offset = 1
  for i = 1, input:size(self.inputDimension) do
    local module = self.modules[i]
    local n = module.output:size(self.outputDimension)
    self:rethrowErrors(module, i, method, input:select(self.inputDimension, i),
      gradOutput:narrow(self.outputDimension, offset, n), arg)
    offset = offset + n
  end
end

function Parallel:accGradParameters(input, gradOutput, scale)
  each(self, "accGradParameters", input, gradOutput, scale)
end

function Parallel:accUpdateGradParameters(input, gradOutput, lr)
  each(self, "accUpdateGradParameters", input, gradOutput, lr)
end

-- every branch is drawn "|`->"; only the last one's continuation lines drop the bar
function Parallel:__tostring__()
  local tab, line = "  ", "\n"
  local nextStr, ext, extlast, last = "  |`-> ", "  |    ", "       ", "   ... -> "
  local str = torch.type(self) .. " {" .. line .. tab .. "input"
  for i = 1, #self.modules do
    local cont = (i == #self.modules) and extlast or ext
    str = str .. line .. tab .. nextStr .. "(" .. i .. "): " ..
      tostring(self.modules[i]):gsub(line, line .. tab .. cont)
  end
  return str .. line .. tab .. last .. "output" .. line .. "}"
end

return Parallel
