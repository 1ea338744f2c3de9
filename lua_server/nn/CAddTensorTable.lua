-- nn.CAddTensorTable: input {v, {x1, ..., xn}} gives {x1 + v, ..., xn + v}; v's gradient
-- is the sum of the n gradients.
local torch = require "torch"
local CAddTensorTable, parent = torch.class("nn.CAddTensorTable", "nn.Module")

function CAddTensorTable:__init()
  parent.__init(self)
  self.gradInput = {}
end

function CAddTensorTable:updateOutput(input)
  local v, xs = input[1], input[2]
  local out = {}
  for i = 1, #xs do out[i] = v.new():resizeAs(v):copy(xs[i]):add(v) end
  self.output = out
  return self.output
end

function CAddTensorTable:updateGradInput(input, gradOutput)
  local v, xs = input[1], input[2]
  self.gradInput[1] = self.gradInput[1] or v.new()
  self.gradInput[1]:resizeAs(v):copy(gradOutput[1])
  for i = 2, #xs do self.gradInput[1]:add(gradOutput[i]) end
  local each = self.gradInput[2] or {}
  for i = 1, #xs do
    each[i] = each[i] or v.new()
    each[i]:resizeAs(v):copy(gradOutput[i])
  end
  for i = #xs + 1, #each do each[i] = nil end
  self.gradInput[2] = each
  return self.gradInput
end

return CAddTensorTable
