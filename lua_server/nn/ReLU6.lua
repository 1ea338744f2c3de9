-- nn.ReLU6([inplace=false]): min(max(x, 0), 6).
local torch = require "torch"
local aten = require "aten"
local call = aten.call
local run = aten.run
local ReLU6, parent = torch.class("nn.ReLU6", "nn.Module")

function ReLU6:__init(inplace)
  parent.__init(self)
  if inplace == nil then self.inplace = false else self.inplace = inplace end
  if inplace and type(inplace) ~= "boolean" then error("in-place flag must be boolean", 2) end
end

function ReLU6:updateOutput(input)
  if self.inplace then
    run("hardtanh_", input._h, 0, 6)
    self.output:set(input)
  else
    self.output:resizeAs(input)
    run("hardtanh.out", input._h, 0, 6, self.output._h)
  end
  return self.output
end

function ReLU6:updateGradInput(input, gradOutput)
  if self.inplace then
    run("hardtanh_backward.grad_input", gradOutput._h, input._h, 0, 6, gradOutput._h)
    self.gradInput:set(gradOutput)
  else
    self.gradInput:resizeAs(input)
    run("hardtanh_backward.grad_input", gradOutput._h, input._h, 0, 6, self.gradInput._h)
  end
  return self.gradInput
end

return ReLU6
