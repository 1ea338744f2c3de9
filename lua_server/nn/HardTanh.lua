-- nn.HardTanh([min=-1, max=1] [, inplace=false]): x clamped to [min, max]; the gradient
-- passes only strictly inside the range.
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local HardTanh, parent = torch.class("nn.HardTanh", "nn.Module")

function HardTanh:__init(min_value, max_value, inplace)
  parent.__init(self)
  self.min_val = min_value or -1
  self.max_val = max_value or 1
  self.inplace = inplace or false
  if inplace and type(inplace) ~= "boolean" then error("in-place flag must be boolean", 2) end
  assert(self.max_val > self.min_val, "max_value must be larger than min_value")
end

function HardTanh:updateOutput(input)
  self.min_val = self.min_val or -1
  self.max_val = self.max_val or 1
  if self.inplace then
    run("hardtanh_", input._h, self.min_val, self.max_val)
    self.output:set(input)
  else
    self.output:resizeAs(input)
    run("hardtanh.out", input._h, self.min_val, self.max_val, self.output._h)
  end
  return self.output
end

-- in place the input holds the output; clamped values sit on the bounds either way
function HardTanh:updateGradInput(input, gradOutput)
  if self.inplace then
    run("hardtanh_backward.grad_input", gradOutput._h, input._h, self.min_val, self.max_val, gradOutput._h)
    self.gradInput:set(gradOutput)
  else
    self.gradInput:resizeAs(input)
    run("hardtanh_backward.grad_input", gradOutput._h, input._h, self.min_val, self.max_val,
      self.gradInput._h)
  end
  return self.gradInput
end

return HardTanh
