-- nn.CMul(size... | LongStorage): y = x .* w with a learnable weight of the given size.
-- The weight meets the input elementwise (same element count), broadcast along its size-1
-- dimensions (same dimension count), or per sample of a batch (first dimension).
local torch = require "torch"
local P = require "nn.parameters"
local CMul, parent = torch.class("nn.CMul", "nn.Module")

function CMul.size_arg(...)
  local arg = { ... }
  local size = torch.LongStorage()
  if #arg == 1 and torch.type(arg[1]) == "torch.LongStorage" then
    size:resize(#arg[1]):copy(arg[1])
  else
    size:resize(#arg)
    for i = 1, #arg do size[i] = arg[i] end
  end
  return size
end

function CMul:__init(...)
  parent.__init(self)
  self.size = CMul.size_arg(...)
  self.weight = torch.Tensor(self.size)
  self.gradWeight = torch.Tensor(self.size)
  self.output:resize(self.size)
  self:reset()
end

function CMul:reset(stdv)
  P.reset_uniform(self, stdv, self.weight:nElement())
end

-- How param (weight or bias) meets x: "same" (elementwise), "expand" (param's size-1
-- dimensions broadcast) or "batch" (x is batchSize x param). Returns the mode and a view
-- function giving, for a contiguous tensor shaped like x, (its view, param expanded to it).
function CMul.layout(param, x)
  if x:nElement() == param:nElement() then
    return "same", function(t) return t, param end
  elseif param:dim() == x:dim() then
    return "expand", function(t) return t, param:expandAs(t) end
  end
  return "batch", function(t)
    local v = t:view(x:size(1), -1)
    return v, param:view(1, -1):expandAs(v)
  end
end

-- t (contiguous, shaped like x) summed down to param's shape
function CMul.reduce(mode, param, t)
  if mode == "same" then return t:viewAs(param) end
  if mode == "batch" then return t:view(t:size(1), -1):sum(1):viewAs(param) end
  for i = 1, param:dim() do
    if param:size(i) ~= t:size(i) then t = t:sum(i) end
  end
  return t
end

function CMul:updateOutput(input)
  local _, views = CMul.layout(self.weight, input)
  self.output:resizeAs(input):copy(input)
  local o, w = views(self.output)
  o:cmul(w)
  return self.output
end

function CMul:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  local _, views = CMul.layout(self.weight, input)
  self.gradInput:resizeAs(input):copy(gradOutput)
  local g, w = views(self.gradInput)
  g:cmul(w)
  return self.gradInput
end

function CMul:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local mode = CMul.layout(self.weight, input)
  self._repeat = self._repeat or input.new()
  self._repeat:resizeAs(input):copy(input):cmul(gradOutput)
  self.gradWeight:add(scale, CMul.reduce(mode, self.weight, self._repeat))
end

function CMul:clearState()
  nn.utils.clear(self, "_repeat")
  return parent.clearState(self)
end

return CMul
