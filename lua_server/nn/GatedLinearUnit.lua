-- nn.GatedLinearUnit([dim=last]): splits the input in halves a, b along dim and returns
-- a * sigmoid(b); the halving dimension must be even.
local torch = require "torch"
local GatedLinearUnit, parent = torch.class("nn.GatedLinearUnit", "nn.Module")

function GatedLinearUnit:__init(dim)
  parent.__init(self)
  self.sigmoid = nn.Sigmoid()
  self.dim = dim
end

local function halves(self, input)
  local dim = self.dim or input:dim()
  local size = input:size(dim)
  if size % 2 ~= 0 then
    error(string.format("nn.GatedLinearUnit: halving dimension %d needs to be even, got size %d", dim, size), 3)
  end
  return dim, size / 2
end

function GatedLinearUnit:updateOutput(input)
  local dim, half = halves(self, input)
  self.fHalf = input:narrow(dim, 1, half)
  self.sHalf = input:narrow(dim, half + 1, half)
  self.sHalfOut = self.sigmoid:forward(self.sHalf)
  self.output:resizeAs(self.fHalf):copy(self.fHalf):cmul(self.sHalfOut)
  return self.output
end

-- d/da = sigmoid(b) * g; d/db = sigmoid'(b) * a * g
function GatedLinearUnit:updateGradInput(input, gradOutput)
  local dim, half = halves(self, input)
  local gate = self.sigmoid:backward(self.sHalf, gradOutput):cmul(self.fHalf)
  self.gradInput:resizeAs(input)
  self.gradInput:narrow(dim, 1, half):copy(self.sHalfOut):cmul(gradOutput)
  self.gradInput:narrow(dim, half + 1, half):copy(gate)
  return self.gradInput
end

function GatedLinearUnit:clearState()
  nn.utils.clear(self, "fHalf", "sHalf", "sHalfOut")
  return parent.clearState(self)
end

return GatedLinearUnit
