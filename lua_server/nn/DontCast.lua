-- nn.DontCast(module [, castin] [, castout=castin] [, moduleType]): keeps the wrapped
-- module's tensor type through :type()/:float()/...; with castin/castout it converts the
-- input to the module's type and the output back to this decorator's output type.
local torch = require "torch"
local DontCast, parent = torch.class("nn.DontCast", "nn.Decorator")

-- dst (reused when it has the right type) holding src converted to typeName, through tables
local function castCopy(dst, src, typeName)
  if type(src) == "table" and not torch.isTensor(src) then
    dst = (type(dst) == "table" and not torch.isTensor(dst)) and dst or {}
    for k, v in pairs(src) do dst[k] = castCopy(dst[k], v, typeName) end
  elseif torch.isTensor(src) then
    if torch.type(dst) ~= typeName then dst = torch.getmetatable(typeName).new() end
    dst:resize(src:size())
    if src:nElement() > 0 then dst:copy(src) end
  end
  return dst
end

-- the type of the first tensor found in x (depth first), and whether one was found
local function tensorType(x)
  if type(x) == "table" and not torch.isTensor(x) then
    for _, v in pairs(x) do
      local t, found = tensorType(v)
      if found then return t, true end
    end
    return nil, false
  end
  return torch.type(x), torch.isTensor(x)
end

function DontCast:__init(module, castin, castout, moduleType)
  parent.__init(self, module)
  self.castin = castin
  if castout == nil then castout = castin end
  self.castout = castout
  self.moduleType = moduleType
  if (self.castin or self.castout) and not self.moduleType then
    local t, found = tensorType(module.output)
    if not found then t, found = tensorType(module:parameters()) end
    if not found then
      error("nn.DontCast: cannot tell the module's tensor type; pass it as argument 4", 2)
    end
    self.moduleType = t
  end
end

-- the input the module sees: the cast copy when castin converts it
function DontCast:moduleInput(input)
  if self.castin and tensorType(input) ~= self.moduleType then return self._input end
  return input
end

function DontCast:updateOutput(input)
  if self.castin and tensorType(input) ~= self.moduleType then
    self._input = castCopy(self._input, input, self.moduleType)
    input = self._input
  end
  local output = self.modules[1]:updateOutput(input)
  if self.castout then
    self.output = castCopy(self.output, output, (tensorType(self.output)))
  else
    self.output = output
  end
  return self.output
end

function DontCast:moduleGradOutput(gradOutput)
  if self.castout and tensorType(gradOutput) ~= self.moduleType then
    self._gradOutput = castCopy(self._gradOutput, gradOutput, self.moduleType)
    return self._gradOutput
  end
  return gradOutput
end

function DontCast:updateGradInput(input, gradOutput)
  local gradInput = self.modules[1]:updateGradInput(self:moduleInput(input),
    self:moduleGradOutput(gradOutput))
  if self.castin then
    self.gradInput = castCopy(self.gradInput, gradInput, (tensorType(self.gradInput)))
  else
    self.gradInput = gradInput
  end
  return self.gradInput
end

local function castGradOutput(self, gradOutput)
  if self.castout and tensorType(gradOutput) ~= self.moduleType then return self._gradOutput end
  return gradOutput
end

function DontCast:accGradParameters(input, gradOutput, scale)
  self.modules[1]:accGradParameters(self:moduleInput(input), castGradOutput(self, gradOutput), scale)
end

function DontCast:accUpdateGradParameters(input, gradOutput, lr)
  self.modules[1]:accUpdateGradParameters(self:moduleInput(input), castGradOutput(self, gradOutput), lr)
end

-- the point of the class: the wrapped module keeps its type; only the buffers facing the
-- outside take the new one
function DontCast:type(typeName)
  if not typeName then return self._type end
  if self.castout and tensorType(self.output) ~= typeName then
    self.output = castCopy(nil, self.output, typeName)
  end
  if self.castin and tensorType(self.gradInput) ~= typeName then
    self.gradInput = castCopy(nil, self.gradInput, typeName)
  end
  return self
end

return DontCast
