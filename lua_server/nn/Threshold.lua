-- nn.Threshold([th=1e-6] [, v=0] [, inplace=false]): y = x if x > th else v.
local torch = require "torch"
local aten = require "aten"
local Threshold, parent = torch.class("nn.Threshold", "nn.Module")

function Threshold:__init(th, v, ip)
  parent.__init(self)
  self.threshold = th or 1e-6
  self.val = v or 0
  self.inplace = ip or false
  if th and type(th) ~= "number" then error("nn.Threshold(threshold, value): threshold must be a number", 2) end
  if v and type(v) ~= "number" then error("nn.Threshold(threshold, value): value must be a number", 2) end
  self:validateParameters()
end

function Threshold:validateParameters()
  if self.inplace and self.val > self.threshold then
    error("in-place processing requires value (" .. self.val .. ") not exceed threshold (" ..
      self.threshold .. ")", 3)
  end
end

function Threshold:updateOutput(input)
  self:validateParameters()
  if self.inplace then
    aten.run("threshold_", input._h, self.threshold, self.val)
    self.output:set(input)
  else
    self.output:resizeAs(input)
    aten.run("threshold.out", input._h, self.threshold, self.val, self.output._h)
  end
  return self.output
end

function Threshold:updateGradInput(input, gradOutput)
  self:validateParameters()
  -- in place, input already holds the output: output > th exactly where input was
  local reference = input
  if self.inplace then
    aten.run("threshold_backward.grad_input", gradOutput._h, reference._h, self.threshold, gradOutput._h)
    self.gradInput:set(gradOutput)
  else
    self.gradInput:resizeAs(gradOutput)
    aten.run("threshold_backward.grad_input", gradOutput._h, reference._h, self.threshold, self.gradInput._h)
  end
  return self.gradInput
end

function Threshold:__tostring__()
  return torch.type(self) .. string.format("(%g, %g)", self.threshold, self.val)
end

return Threshold
