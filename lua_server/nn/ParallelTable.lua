-- nn.ParallelTable: module i is applied to input[i]; the output is the table of results.
local torch = require "torch"
require "nn.Concat"
local ipairs = ipairs
local ParallelTable, parent = torch.class("nn.ParallelTable", "nn.Container")

function ParallelTable:__init()
  parent.__init(self)
  self.modules = {}
  self.output = {}
  self.gradInput = {}
end

function ParallelTable:updateOutput(input)
  for i = 1, #self.modules do
    self.output[i] = self:rethrowErrors(self.modules[i], i, "updateOutput", input[i])
  end
  return self.output
end

function ParallelTable:updateGradInput(input, gradOutput)
  for i, module in ipairs(self.modules) do
    self.gradInput[i] = self:rethrowErrors(module, i, "updateGradInput", input[i], gradOutput[i])
  end
  return self.gradInput
end

function ParallelTable:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  for i, module in ipairs(self.modules) do
    self:rethrowErrors(module, i, "accGradParameters", input[i], gradOutput[i], scale)
  end
end

function ParallelTable:accUpdateGradParameters(input, gradOutput, lr)
  lr = lr or 1
  for i, module in ipairs(self.modules) do
    self:rethrowErrors(module, i, "accUpdateGradParameters", input[i], gradOutput[i], lr)
  end
end

-- Torch7 draws every branch with "|`->", the last one included
function ParallelTable:__tostring__()
  return nn.Concat.branchString(self, nil)
end

return ParallelTable
