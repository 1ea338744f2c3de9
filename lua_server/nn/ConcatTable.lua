-- nn.ConcatTable: every module gets the same input; the output is the table of their
-- outputs. gradInput sums the modules' gradInputs (leaf by leaf for table inputs).
local torch = require "torch"
require "nn.Concat"
local ipairs, type = ipairs, type
local ConcatTable, parent = torch.class("nn.ConcatTable", "nn.Container")

function ConcatTable:__init()
  parent.__init(self)
  self.modules = {}
  self.output = {}
end

function ConcatTable:updateOutput(input)
  for i = 1, #self.modules do
    self.output[i] = self:rethrowErrors(self.modules[i], i, "updateOutput", input)
  end
  return self.output
end

local retable, copyLeaf, addLeaf = nn.Concat.retable, nn.Concat.copyLeaf, nn.Concat.addLeaf

local function backward(self, method, input, gradOutput, scale)
  local isTable = type(input) == "table"
  local wasTable = type(self.gradInput) == "table"
  if not isTable then
    self.gradInput = (not wasTable) and self.gradInput or input:clone()
  end
  for i, module in ipairs(self.modules) do
    local gi = self:rethrowErrors(module, i, method, input, gradOutput[i], scale)
    if isTable then
      if type(gi) ~= "table" then error("currentGradInput is not a table!", 2) end
      if #input ~= #gi then error("table size mismatch: " .. #input .. " ~= " .. #gi, 2) end
      if i == 1 then
        self.gradInput = wasTable and self.gradInput or {}
        retable(self.gradInput, gi, copyLeaf)
      else
        retable(self.gradInput, gi, addLeaf)
      end
    elseif i == 1 then
      self.gradInput:resizeAs(gi):copy(gi)
    else
      self.gradInput:add(gi)
    end
  end
  return self.gradInput
end

function ConcatTable:updateGradInput(input, gradOutput)
  return backward(self, "updateGradInput", input, gradOutput)
end

function ConcatTable:backward(input, gradOutput, scale)
  return backward(self, "backward", input, gradOutput, scale)
end

function ConcatTable:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  for i, module in ipairs(self.modules) do
    self:rethrowErrors(module, i, "accGradParameters", input, gradOutput[i], scale)
  end
end

function ConcatTable:accUpdateGradParameters(input, gradOutput, lr)
  for i, module in ipairs(self.modules) do
    self:rethrowErrors(module, i, "accUpdateGradParameters", input, gradOutput[i], lr)
  end
end

function ConcatTable:__tostring__()
  return nn.Concat.branchString(self, "   `-> ")
end

return ConcatTable
