-- nn.MapTable(module [, shared=true]): applies the module to every element of the input
-- table. Clones are made as the input grows; shared clones share weight, bias and their
-- gradients with the first, so all elements train one set of parameters.
local torch = require "torch"
local MapTable, parent = torch.class("nn.MapTable", "nn.Container")

function MapTable:__init(module, shared)
  parent.__init(self)
  if shared == nil then shared = true end
  self.shared = shared
  self.sharedparams = { "weight", "bias", "gradWeight", "gradBias" }
  self.output = {}
  self.gradInput = {}
  self:add(module)
end

-- one module per input element, cloning the first as needed
function MapTable:_extend(n)
  self.sharedparams = self.sharedparams or { "weight", "bias", "gradWeight", "gradBias" }
  self.modules[1] = self.module
  for i = 2, n do
    if not self.modules[i] then
      if self.shared then
        self.modules[i] = self.module:clone(unpack(self.sharedparams))
      else
        self.modules[i] = self.module:clone()
      end
    end
  end
end

function MapTable:resize(n)
  self:_extend(n)
  for i = #self.modules, n + 1, -1 do
    self.modules[i]:clearState()
    self.modules[i] = nil
  end
  return self
end

function MapTable:add(module)
  if self.module then error("nn.MapTable holds one module; it has one already", 2) end
  self.module = module
  self.modules[1] = module
  return self
end

function MapTable:updateOutput(input)
  self.output = {}
  self:_extend(#input)
  for i = 1, #input do
    self.output[i] = self:rethrowErrors(self.modules[i], i, "updateOutput", input[i])
  end
  return self.output
end

function MapTable:updateGradInput(input, gradOutput)
  self.gradInput = {}
  self:_extend(#input)
  for i = 1, #input do
    self.gradInput[i] = self:rethrowErrors(self.modules[i], i, "updateGradInput", input[i],
      gradOutput[i])
  end
  return self.gradInput
end

function MapTable:accGradParameters(input, gradOutput, scale)
  self:_extend(#input)
  for i = 1, #input do
    self:rethrowErrors(self.modules[i], i, "accGradParameters", input[i], gradOutput[i], scale or 1)
  end
end

function MapTable:accUpdateGradParameters(input, gradOutput, lr)
  self:_extend(#input)
  for i = 1, #input do
    self:rethrowErrors(self.modules[i], i, "accUpdateGradParameters", input[i], gradOutput[i],
      lr or 1)
  end
end

-- shared clones hold the first module's gradients: zero and update them once
function MapTable:zeroGradParameters()
  if not self.module then return end
  if self.shared then self.module:zeroGradParameters() else parent.zeroGradParameters(self) end
end

function MapTable:updateParameters(learningRate)
  if not self.module then return end
  if self.shared then
    self.module:updateParameters(learningRate)
  else
    parent.updateParameters(self, learningRate)
  end
end

-- drops the clones: they are rebuilt on the next forward
function MapTable:clearState()
  for i = #self.modules, 2, -1 do
    self.modules[i]:clearState()
    self.modules[i] = nil
  end
  return parent.clearState(self)
end

function MapTable:__tostring__()
  if not self.module then return torch.type(self) .. " { }" end
  local inner = tostring(self.module):gsub("\n", "\n        ")
  return torch.type(self) .. " {\n  " .. inner .. "\n}"
end

return MapTable
