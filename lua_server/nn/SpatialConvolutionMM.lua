-- nn.SpatialConvolutionMM(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0, padH=padW]):
-- SpatialConvolution with Torch7's "matrix-multiply" weight layout, a 2-D
-- nOutputPlane×(nInputPlane·kH·kW) weight (a 4-D one, as cudnn conversions leave, works
-- too). The computation is SpatialConvolution's.
local torch = require "torch"
local SpatialConvolution = require "nn.SpatialConvolution"
local SpatialConvolutionMM = torch.class("nn.SpatialConvolutionMM", "nn.Module")

function SpatialConvolutionMM:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  SpatialConvolution.__init(self, nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  -- the same numbers, drawn in the same order, in the matrix layout
  local rowLength = nInputPlane * kH * kW
  self.weight:resize(nOutputPlane, rowLength)
  self.gradWeight:resize(nOutputPlane, rowLength)
end

for _, name in ipairs { "noBias", "reset", "updateOutput", "updateGradInput", "accGradParameters",
  "backward", "type", "clearState", "__tostring__" } do
  SpatialConvolutionMM[name] = SpatialConvolution[name]
end

return SpatialConvolutionMM
