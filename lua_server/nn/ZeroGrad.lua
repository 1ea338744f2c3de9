-- nn.ZeroGrad(): the identity on the way forward; blocks the gradient (zeros shaped like the
-- input, tensors or tables of them) on the way back.
local torch = require "torch"
local ZeroGrad, parent = torch.class("nn.ZeroGrad", "nn.Module")

function ZeroGrad:updateOutput(input)
  self.output:set(input)
  return self.output
end

function ZeroGrad:updateGradInput(input, gradOutput)
  self.gradInput = nn.utils.recursiveResizeAs(self.gradInput, input)
  self.gradInput = nn.utils.recursiveFill(self.gradInput, 0)
  return self.gradInput
end

return ZeroGrad
