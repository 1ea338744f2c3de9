-- nn.VolumetricMaxUnpooling(pooling): the inverse of the given nn.VolumetricMaxPooling: each
-- input value goes back to where that pooling's last forward found its maximum
-- (pooling.indices), every other position is 0; the output has the pooling's last input size.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local VolumetricMaxUnpooling, parent = torch.class("nn.VolumetricMaxUnpooling", "nn.Module")

function VolumetricMaxUnpooling:__init(poolingModule)
  parent.__init(self)
  assert(torch.type(poolingModule) == "nn.VolumetricMaxPooling", "Argument must be a nn.VolumetricMaxPooling module")
  assert(poolingModule.kT == poolingModule.dT and poolingModule.kH == poolingModule.dH and
    poolingModule.kW == poolingModule.dW, "The size of pooling module's kernel must be equal to its stride")
  self.pooling = poolingModule
end

function VolumetricMaxUnpooling:setParams()
  local p = self.pooling
  self.indices = p.indices
  self.otime, self.oheight, self.owidth = p.itime, p.iheight, p.iwidth
  self.dT, self.dH, self.dW = p.dT, p.dH, p.dW
  self.padT, self.padH, self.padW = p.padT, p.padH, p.padW
end

function VolumetricMaxUnpooling:updateOutput(input)
  K.check_unpool(self, input, 5, 2)
  local ind0 = call("sub.Scalar", self.indices:long()._h, 1, 1)
  local h = call("max_unpool3d", input._h, ind0, { self.otime, self.oheight, self.owidth },
    { self.dT, self.dH, self.dW }, { self.padT, self.padH, self.padW })
  K.free(ind0)
  K.take(self.output, h)
  return self.output
end

-- each input value's gradient is the gradOutput at the position it was unpooled to
function VolumetricMaxUnpooling:updateGradInput(input, gradOutput)
  K.check_unpool(self, input, 5, 2)
  local d = input:dim()
  local volume = input:size(d) * input:size(d - 1) * input:size(d - 2)
  local planes = input:nElement() / volume
  local g = gradOutput:contiguous():view(planes, self.otime * self.oheight * self.owidth)
  self.gradInput:resizeAs(input):copy(g:gather(2, self.indices:long():view(planes, volume)):viewAs(input))
  return self.gradInput
end

function VolumetricMaxUnpooling:empty()
  self:clearState()
end

function VolumetricMaxUnpooling:__tostring__()
  return "nn.VolumetricMaxUnpooling associated to " .. tostring(self.pooling)
end

return VolumetricMaxUnpooling
