-- nn.SpatialDivisiveNormalization([nInputPlane=1, kernel=9×9 ones, threshold=1e-4,
-- thresval=threshold]): divides every pixel by the kernel-weighted local standard deviation
-- sqrt(Σ k·x²) across all planes (corrected at the borders by coef, as in
-- SpatialSubtractiveNormalization); deviations below threshold are replaced by thresval.
-- The kernel is normalized in place (2-D: to sum 1/nInputPlane; 1-D: 1/sqrt(nInputPlane)).
local torch = require "torch"
local L = require "nn.local_mean"

local SpatialDivisiveNormalization, parent = torch.class("nn.SpatialDivisiveNormalization", "nn.Module")

function SpatialDivisiveNormalization:__init(nInputPlane, kernel, threshold, thresval)
  parent.__init(self)
  self.nInputPlane = nInputPlane or 1
  self.kernel = kernel or torch.Tensor(9, 9):fill(1)
  self.threshold = threshold or 1e-4
  self.thresval = thresval or threshold or 1e-4
  L.checkKernel("SpatialDivisiveNormalization", self.kernel)

  self.meanestimator = nn.Sequential()
  for _, m in ipairs(L.modules(self.nInputPlane, self.kernel)) do self.meanestimator:add(m) end
  self.stdestimator = nn.Sequential()
  self.stdestimator:add(nn.Square())
  for _, m in ipairs(L.modules(self.nInputPlane, self.kernel)) do self.stdestimator:add(m) end
  self.stdestimator:add(nn.Sqrt())

  if self.kernel:dim() == 2 then
    self.kernel:div(self.kernel:sum() * self.nInputPlane)
  else
    self.kernel:div(self.kernel:sum() * math.sqrt(self.nInputPlane))
  end
  L.setKernel(self.meanestimator, 2, self.nInputPlane, self.kernel)
  L.setKernel(self.stdestimator, 3, self.nInputPlane, self.kernel)

  self.normalizer = nn.CDivTable()
  self.divider = nn.CDivTable()
  self.thresholder = nn.Threshold(self.threshold, self.thresval)
  self.coef = torch.Tensor(1, 1, 1)
end

function SpatialDivisiveNormalization:updateOutput(input)
  self.localstds = self.stdestimator:updateOutput(input)
  L.coefficients(self, self.meanestimator, input)
  self.adjustedstds = self.divider:updateOutput({ self.localstds, self.coef })
  self.thresholdedstds = self.thresholder:updateOutput(self.adjustedstds)
  self.output = self.normalizer:updateOutput({ input, self.thresholdedstds })
  return self.output
end

function SpatialDivisiveNormalization:updateGradInput(input, gradOutput)
  self.gradInput:resizeAs(input):zero()
  local gradnorm = self.normalizer:updateGradInput({ input, self.thresholdedstds }, gradOutput)
  local gradadj = self.thresholder:updateGradInput(self.adjustedstds, gradnorm[2])
  local graddiv = self.divider:updateGradInput({ self.localstds, self.coef }, gradadj)
  self.gradInput:add(self.stdestimator:updateGradInput(input, graddiv[1]))
  self.gradInput:add(gradnorm[1])
  return self.gradInput
end

function SpatialDivisiveNormalization:clearState()
  if self.ones then self.ones:set() end
  if self._coef then self._coef:set() end
  self._coefSize = nil
  self.meanestimator:clearState()
  self.stdestimator:clearState()
  return parent.clearState(self)
end

return SpatialDivisiveNormalization
