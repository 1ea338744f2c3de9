-- nn.DotProduct: input {a, b} (vectors, or batch x n matrices) gives the dot product of
-- each pair of rows.
local torch = require "torch"
local DotProduct, parent = torch.class("nn.DotProduct", "nn.Module")

function DotProduct:__init()
  parent.__init(self)
  self.gradInput = { torch.Tensor(), torch.Tensor() }
end

local function rows(a, b)
  if a:dim() == 1 then return a:view(1, -1), b:view(1, -1), true end
  return a, b, false
end

function DotProduct:updateOutput(input)
  local a, b = rows(input[1], input[2])
  self.buffer = self.buffer or a.new()
  self.buffer:cmul(a, b)
  self.output:sum(self.buffer, 2)
  self.output:resize(a:size(1))
  return self.output
end

function DotProduct:updateGradInput(input, gradOutput)
  local a, b, single = rows(input[1], input[2])
  self.gradInput[1] = self.gradInput[1] or a.new()
  self.gradInput[2] = self.gradInput[2] or b.new()
  local ga, gb = self.gradInput[1], self.gradInput[2]
  local g = gradOutput:contiguous():view(-1, 1):expandAs(a)
  ga:resizeAs(a):copy(b):cmul(g)
  gb:resizeAs(b):copy(a):cmul(g)
  if single then
    ga:resize(a:size(2))
    gb:resize(b:size(2))
  end
  return self.gradInput
end

function DotProduct:clearState()
  nn.utils.clear(self, "buffer")
  return parent.clearState(self)
end

return DotProduct
