-- nn.CAdd(size... | LongStorage): y = x + b with a learnable bias of the given size, met
-- elementwise, broadcast along its size-1 dimensions, or per sample (as nn.CMul).
local torch = require "torch"
require "nn.CMul"
local CAdd, parent = torch.class("nn.CAdd", "nn.Module")

function CAdd:__init(...)
  parent.__init(self)
  self.size = nn.CMul.size_arg(...)
  self.bias = torch.Tensor(self.size)
  self.gradBias = torch.Tensor(self.size)
  self.output:resize(self.size)
  self:reset()
end

function CAdd:reset(stdv)
  if stdv then
    stdv = stdv * math.sqrt(3)
  else
    stdv = 1 / math.sqrt(self.bias:nElement())
  end
  self.bias:uniform(-stdv, stdv)
end

function CAdd:updateOutput(input)
  local _, views = nn.CMul.layout(self.bias, input)
  self.output:resizeAs(input):copy(input)
  local o, b = views(self.output)
  o:add(b)
  return self.output
end

function CAdd:updateGradInput(input, gradOutput)
  self.gradInput = self.gradInput or input.new()
  self.gradInput:resizeAs(gradOutput):copy(gradOutput)
  return self.gradInput
end

function CAdd:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local mode = nn.CMul.layout(self.bias, input)
  self.gradBias:add(scale, nn.CMul.reduce(mode, self.bias, gradOutput:contiguous()))
end

return CAdd
