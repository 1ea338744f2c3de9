-- The local (weighted) sum over a neighbourhood and across planes that
-- SpatialSubtractiveNormalization and SpatialDivisiveNormalization build from ordinary
-- modules, as Torch7 does (so models saved by Torch7 hold the same submodules): zero
-- padding, a convolution with the kernel (a 2-D kernel in one SpatialConvolution to one
-- plane; a 1-D kernel as a per-plane horizontal SpatialConvolutionMap then a vertical
-- SpatialConvolution to one plane), then Replicate back to nInputPlane planes. The
-- convolutions draw their initial weights (Torch7's draws) before the kernel replaces them.
local torch = require "torch"

local floor = math.floor
local M = {}

local function one_to_one(n)
  local t = torch.Tensor(n, 2)
  for i = 1, n do t[i][1], t[i][2] = i, i end
  return t
end

-- the modules, in order, for kernel (1-D or 2-D, odd sizes) over nInputPlane planes;
-- also the indices of the convolutions among them
function M.modules(nInputPlane, kernel)
  local padH = floor(kernel:size(1) / 2)
  local padW = kernel:dim() == 2 and floor(kernel:size(2) / 2) or padH
  local list = { nn.SpatialZeroPadding(padW, padW, padH, padH) }
  if kernel:dim() == 2 then
    list[2] = nn.SpatialConvolution(nInputPlane, 1, kernel:size(2), kernel:size(1))
  else
    list[2] = nn.SpatialConvolutionMap(one_to_one(nInputPlane), kernel:size(1), 1)
    list[3] = nn.SpatialConvolution(nInputPlane, 1, 1, kernel:size(1))
  end
  list[#list + 1] = nn.Replicate(nInputPlane, 1, 3)
  return list
end

-- load the kernel into the convolutions of seq whose first convolution is at index first
function M.setKernel(seq, first, nInputPlane, kernel)
  local conv = seq.modules[first]
  if kernel:dim() == 2 then
    for i = 1, nInputPlane do conv.weight[1][i]:copy(kernel) end
    conv.bias:zero()
  else
    local vertical = seq.modules[first + 1]
    for i = 1, nInputPlane do
      conv.weight[i]:copy(kernel)
      vertical.weight[1][i]:copy(kernel)
    end
    conv.bias:zero()
    vertical.bias:zero()
  end
end

function M.checkKernel(class, kernel)
  local kdim = kernel:dim()
  if kdim ~= 2 and kdim ~= 1 then
    error("<" .. class .. "> averaging kernel must be 2D or 1D", 3)
  end
  if kernel:size(1) % 2 == 0 or (kdim == 2 and kernel:size(2) % 2 == 0) then
    error("<" .. class .. "> averaging kernel must have ODD dimensions", 3)
  end
end

-- coef: the estimator's response to an all-ones input shaped like input (one sample of a
-- batch, expanded over it), i.e. what each local sum would be without the zero padding.
-- Kept in self.coef until the input size changes.
function M.coefficients(self, estimator, input)
  local key = table.concat(input:size():totable(), "x")
  if self._coefSize == key and self.coef then return self.coef end
  local batched = input:dim() == 4
  self.ones = self.ones or input.new()
  self._coef = self._coef or input.new()
  self.ones:resizeAs(batched and input[1] or input):fill(1)
  local c = estimator:updateOutput(self.ones)
  self._coef:resizeAs(c):copy(c)
  self.coef = self._coef
  if batched then
    local sizes = self._coef:size():totable()
    table.insert(sizes, 1, input:size(1))
    self.coef = self._coef:view(1, unpack(self._coef:size():totable())):expand(unpack(sizes))
  end
  self._coefSize = key
  return self.coef
end

return M
