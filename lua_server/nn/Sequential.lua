-- nn.Sequential: modules applied one after the other.
local torch = require "torch"
local Sequential, parent = torch.class("nn.Sequential", "nn.Container")

function Sequential:add(module)
  if #self.modules == 0 then self.gradInput = module.gradInput end
  table.insert(self.modules, module)
  self.output = module.output
  return self
end

function Sequential:insert(module, index)
  index = index or (#self.modules + 1)
  if index > #self.modules + 1 or index < 1 then
    error("index should be contiguous to existing modules", 2)
  end
  table.insert(self.modules, index, module)
  self.output = self.modules[#self.modules].output
  self.gradInput = self.modules[1].gradInput
end

function Sequential:remove(index)
  index = index or #self.modules
  if index > #self.modules or index < 1 then error("index out of range", 2) end
  table.remove(self.modules, index)
  if #self.modules > 0 then
    self.output = self.modules[#self.modules].output
    self.gradInput = self.modules[1].gradInput
  else
    self.output = torch.Tensor()
    self.gradInput = torch.Tensor()
  end
end

function Sequential:updateOutput(input)
  local current = input
  for i = 1, #self.modules do
    current = self:rethrowErrors(self.modules[i], i, "updateOutput", current)
  end
  self.output = current
  return current
end

function Sequential:updateGradInput(input, gradOutput)
  local current = gradOutput
  for i = #self.modules, 2, -1 do
    local previous = self.modules[i - 1]
    current = self:rethrowErrors(self.modules[i], i, "updateGradInput", previous.output, current)
  end
  current = self:rethrowErrors(self.modules[1], 1, "updateGradInput", input, current)
  self.gradInput = current
  return current
end

function Sequential:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local current = gradOutput
  for i = #self.modules, 2, -1 do
    local module, previous = self.modules[i], self.modules[i - 1]
    self:rethrowErrors(module, i, "accGradParameters", previous.output, current, scale)
    current = module.gradInput
  end
  self:rethrowErrors(self.modules[1], 1, "accGradParameters", input, current, scale)
end

function Sequential:backward(input, gradOutput, scale)
  scale = scale or 1
  local current = gradOutput
  for i = #self.modules, 2, -1 do
    local previous = self.modules[i - 1]
    current = self:rethrowErrors(self.modules[i], i, "backward", previous.output, current, scale)
  end
  current = self:rethrowErrors(self.modules[1], 1, "backward", input, current, scale)
  self.gradInput = current
  return current
end

function Sequential:accUpdateGradParameters(input, gradOutput, lr)
  local current = gradOutput
  for i = #self.modules, 2, -1 do
    local module, previous = self.modules[i], self.modules[i - 1]
    self:rethrowErrors(module, i, "accUpdateGradParameters", previous.output, current, lr)
    current = module.gradInput
  end
  self:rethrowErrors(self.modules[1], 1, "accUpdateGradParameters", input, current, lr)
end

function Sequential:__tostring__()
  local tab, line = "  ", "\n"
  local str = torch.type(self) .. " {" .. line .. tab .. "[input"
  for i = 1, #self.modules do str = str .. " -> (" .. i .. ")" end
  str = str .. " -> output]"
  for i = 1, #self.modules do
    str = str .. line .. tab .. "(" .. i .. "): " .. tostring(self.modules[i]):gsub(line, line .. tab)
  end
  str = str .. line .. "}"
  return str
end

return Sequential
