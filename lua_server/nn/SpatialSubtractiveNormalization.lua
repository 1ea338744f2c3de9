-- nn.SpatialSubtractiveNormalization([nInputPlane=1, kernel=9×9 ones]): subtracts from every
-- pixel the kernel-weighted mean of its neighbourhood across all planes, for C×H×W or
-- N×C×H×W input. The kernel (1-D: applied separably; odd sizes) is normalized in place to
-- sum 1/nInputPlane; near the border the mean is divided by the kernel mass inside the
-- image (coef), so borders are not darkened by the zero padding.
local torch = require "torch"
local L = require "nn.local_mean"

local SpatialSubtractiveNormalization, parent = torch.class("nn.SpatialSubtractiveNormalization", "nn.Module")

function SpatialSubtractiveNormalization:__init(nInputPlane, kernel)
  parent.__init(self)
  self.nInputPlane = nInputPlane or 1
  self.kernel = kernel or torch.Tensor(9, 9):fill(1)
  L.checkKernel("SpatialSubtractiveNormalization", self.kernel)
  -- in place, as Torch7: a caller sharing the kernel sees it normalized
  self.kernel:div(self.kernel:sum() * self.nInputPlane)
  self.meanestimator = nn.Sequential()
  for _, m in ipairs(L.modules(self.nInputPlane, self.kernel)) do self.meanestimator:add(m) end
  L.setKernel(self.meanestimator, 2, self.nInputPlane, self.kernel)
  self.subtractor = nn.CSubTable()
  self.divider = nn.CDivTable()
  self.coef = torch.Tensor(1, 1, 1)
end

function SpatialSubtractiveNormalization:updateOutput(input)
  L.coefficients(self, self.meanestimator, input)
  self.localsums = self.meanestimator:updateOutput(input)
  self.adjustedsums = self.divider:updateOutput({ self.localsums, self.coef })
  self.output = self.subtractor:updateOutput({ input, self.adjustedsums })
  return self.output
end

function SpatialSubtractiveNormalization:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input):zero()
  local gradsub = self.subtractor:updateGradInput({ input, self.adjustedsums }, gradOutput)
  local graddiv = self.divider:updateGradInput({ self.localsums, self.coef }, gradsub[2])
  self.gradInput:add(self.meanestimator:updateGradInput(input, graddiv[1]))
  self.gradInput:add(gradsub[1])
  return self.gradInput
end

function SpatialSubtractiveNormalization:clearState()
  if self.ones then self.ones:set() end
  if self._coef then self._coef:set() end
  self._coefSize = nil
  self.meanestimator:clearState()
  return parent.clearState(self)
end

return SpatialSubtractiveNormalization
