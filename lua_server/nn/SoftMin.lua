-- nn.SoftMin: the softmax of -x over the features (the dimension nn.SoftMax uses), so the
-- smallest input gets the largest weight.
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
require "nn.SoftMax"
local call = aten.call
local SoftMin, parent = torch.class("nn.SoftMin", "nn.Module")

-- mininput holds -x, as Torch7's SoftMin keeps it
local function negated(self, input)
  self.mininput = self.mininput or input.new()
  self.mininput:resizeAs(input):copy(input):mul(-1)
  return self.mininput
end

function SoftMin:updateOutput(input)
  local dim = nn.SoftMax.featureDim(input, torch.type(self))
  local x = negated(self, input)
  self.output:resizeAs(input)
  call("_softmax.out", x._h, dim, false, self.output._h)
  return self.output
end

-- the softmax gradient at -x, negated by the chain rule
function SoftMin:updateGradInput(input, gradOutput)
  local dim = nn.SoftMax.featureDim(input, torch.type(self))
  self.gradInput:resizeAs(input)
  call("_softmax_backward_data.out", gradOutput:contiguous()._h, self.output._h, dim,
    core.info(self.output).dtype, self.gradInput._h)
  self.gradInput:mul(-1)
  return self.gradInput
end

function SoftMin:clearState()
  nn.utils.clear(self, "mininput")
  return parent.clearState(self)
end

return SoftMin
