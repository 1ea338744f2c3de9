-- nn.NaN(module [, id]): runs the module and raises an error naming what first held a NaN
-- (input, parameters, output; gradOutput, gradInput, gradParameters) and which module.
local torch = require "torch"
local NaN, parent = torch.class("nn.NaN", "nn.Decorator")

NaN.__idx = 1  -- ids handed to instances built without one

function NaN:__init(module, id)
  parent.__init(self, module)
  self.id = id or NaN.__idx
  NaN.__idx = NaN.__idx + 1
end

-- true when a tensor (or any tensor inside a table) holds a NaN
function NaN:recursiveIsNaN(x)
  if type(x) == "table" and not torch.isTensor(x) then
    for _, v in pairs(x) do
      if self:recursiveIsNaN(v) then return true end
    end
    return false
  end
  if not torch.isTensor(x) or x:nElement() == 0 then return false end
  local s = x:sum()
  return s ~= s
end

function NaN:report(what)
  error(string.format("NaN found in %s of module :\n%s", what, self:__tostring__()), 0)
end

function NaN:updateOutput(input)
  self.output = self.modules[1]:updateOutput(input)
  if self:recursiveIsNaN(self.output) then
    if self:recursiveIsNaN(input) then self:report("input") end
    if self:recursiveIsNaN(self:parameters()) then self:report("parameters") end
    self:report("output")
  end
  return self.output
end

function NaN:updateGradInput(input, gradOutput)
  self.gradInput = self.modules[1]:updateGradInput(input, gradOutput)
  if self:recursiveIsNaN(self.gradInput) then
    if self:recursiveIsNaN(gradOutput) then self:report("gradOutput") end
    self:report("gradInput")
  end
  return self.gradInput
end

function NaN:accGradParameters(input, gradOutput, scale)
  self.modules[1]:accGradParameters(input, gradOutput, scale)
  local _, gradParams = self:parameters()
  if self:recursiveIsNaN(gradParams) then self:report("gradParameters") end
end

function NaN:__tostring__()
  return string.format("%s(%s) @ %s", torch.type(self), tostring(self.id), tostring(self.modules[1]))
end

return NaN
