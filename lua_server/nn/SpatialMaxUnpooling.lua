-- nn.SpatialMaxUnpooling(pooling): the inverse of the given nn.SpatialMaxPooling (whose
-- kernel equals its stride): each input value goes back to where that pooling's last forward
-- found its maximum (pooling.indices), every other position is 0; the output has the
-- pooling's last input size.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local SpatialMaxUnpooling, parent = torch.class("nn.SpatialMaxUnpooling", "nn.Module")

function SpatialMaxUnpooling:__init(poolingModule)
  parent.__init(self)
  assert(torch.type(poolingModule) == "nn.SpatialMaxPooling", "Argument must be a nn.SpatialMaxPooling module")
  assert(poolingModule.kH == poolingModule.dH and poolingModule.kW == poolingModule.dW,
    "The size of pooling module's kernel must be equal to its stride")
  self.pooling = poolingModule
end

function SpatialMaxUnpooling:setParams()
  self.indices = self.pooling.indices
  self.oheight = self.pooling.iheight
  self.owidth = self.pooling.iwidth
end

function SpatialMaxUnpooling:updateOutput(input)
  K.check_unpool(self, input, 4, 2)
  local ind0 = call("sub.Scalar", self.indices:long()._h, 1, 1)
  local h = call("max_unpool2d", input._h, ind0, { self.oheight, self.owidth })
  K.free(ind0)
  K.take(self.output, h)
  return self.output
end

-- each input value's gradient is the gradOutput at the position it was unpooled to
function SpatialMaxUnpooling:updateGradInput(input, gradOutput)
  K.check_unpool(self, input, 4, 2)
  local d = input:dim()
  local planes = input:nElement() / (input:size(d) * input:size(d - 1))
  local g = gradOutput:contiguous():view(planes, self.oheight * self.owidth)
  local idx = self.indices:view(planes, input:size(d) * input:size(d - 1))
  self.gradInput:resizeAs(input):copy(g:gather(2, idx:long()):viewAs(input))
  return self.gradInput
end

function SpatialMaxUnpooling:empty()
  self:clearState()
end

function SpatialMaxUnpooling:__tostring__()
  return "nn.SpatialMaxUnpooling associated to " .. tostring(self.pooling)
end

return SpatialMaxUnpooling
