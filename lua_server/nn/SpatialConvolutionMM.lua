-- nn.SpatialConvolutionMM(nInputPlane, nOutputPlane, kW, kH [, dW=1, dH=1, padW=0, padH=padW]):
-- SpatialConvolution with Torch7's "matrix-multiply" weight layout, a 2-D
-- nOutputPlane×(nInputPlane·kH·kW) weight (a 4-D one, as cudnn conversions leave, works
-- too). The computation is SpatialConvolution's.
local torch = require "torch"
local SpatialConvolution = require "nn.SpatialConvolution"
local SpatialConvolutionMM, parent = torch.class("nn.SpatialConvolutionMM", "nn.Module")

function SpatialConvolutionMM:__init(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  local cname, check = torch.type(self), SpatialConvolution._check_count
  check(cname, "nInputPlane", nInputPlane, 1)
  check(cname, "nOutputPlane", nOutputPlane, 1)
  check(cname, "kW", kW, 1)
  check(cname, "kH", kH, 1)
  self.nInputPlane = nInputPlane
  self.nOutputPlane = nOutputPlane
  self.kW = kW
  self.kH = kH
  self.dW = dW or 1
  self.dH = dH or 1
  self.padW = padW or 0
  self.padH = padH or self.padW
  self.weight = torch.Tensor(nOutputPlane, nInputPlane * kH * kW)
  self.bias = torch.Tensor(nOutputPlane)
  self.gradWeight = torch.Tensor(nOutputPlane, nInputPlane * kH * kW)
  self.gradBias = torch.Tensor(nOutputPlane)
  self:reset()
end

for _, name in ipairs { "noBias", "reset", "updateOutput", "updateGradInput", "accGradParameters",
  "backward", "type", "clearState", "__tostring__" } do
  SpatialConvolutionMM[name] = SpatialConvolution[name]
end

return SpatialConvolutionMM
