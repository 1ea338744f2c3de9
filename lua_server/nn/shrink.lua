-- The two shrinkage units share everything but the ATen operator: SoftShrink moves x
-- towards 0 by lambda (and zeroes |x| <= lambda), HardShrink zeroes |x| <= lambda only.
local aten = require "aten"
local call = aten.call

-- gives class (an nn.Module) the methods of a shrinkage unit on the ATen operator `op`
return function(class, parent, op)
  function class:__init(lambda)
    parent.__init(self)
    self.lambda = lambda or 0.5
  end

  function class:updateOutput(input)
    self.output:resizeAs(input)
    call(op .. ".out", input._h, self.lambda, self.output._h)
    -- ATen leaves -0 for small negative inputs; Torch7 writes 0
    self.output:add(0)
    return self.output
  end

  function class:updateGradInput(input, gradOutput)
    self.gradInput:resizeAs(input)
    call(op .. "_backward.grad_input", gradOutput:contiguous()._h, input._h, self.lambda,
      self.gradInput._h)
    self.gradInput:add(0)
    return self.gradInput
  end
end
