-- nn.SpatialAdaptiveMaxPooling(W, H): max pooling to a fixed W×H output whatever the input
-- size; output cell (i, j) covers input rows floor(i·iH/H) .. ceil((i+1)·iH/H) − 1 (and the
-- same for columns). indices holds 1-based positions within each input plane, as Torch7.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local Pool = require "nn.pooling"

local call = aten.call
local run = aten.run
local SpatialAdaptiveMaxPooling, parent = torch.class("nn.SpatialAdaptiveMaxPooling", "nn.Module")

function SpatialAdaptiveMaxPooling:__init(W, H)
  parent.__init(self)
  self.W = W
  self.H = H
end

local function prepare(self, input)
  nn.utils.checkType(self, input, self.output)
  K.check_dims(self, input, 4, 3)
  if not self.indices or torch.type(self.indices) ~= "torch.LongTensor" then
    self.indices = torch.LongTensor()
  end
end

function SpatialAdaptiveMaxPooling:updateOutput(input)
  prepare(self, input)
  local out, ind = call("adaptive_max_pool2d", input._h, { self.H, self.W })
  run("add_.Scalar", ind, 1)
  K.take(self.output, out)
  K.take(self.indices, ind)
  return self.output
end

function SpatialAdaptiveMaxPooling:updateGradInput(input, gradOutput)
  prepare(self, input)
  local ind0 = call("sub.Scalar", self.indices._h, 1, 1)
  local h = call("adaptive_max_pool2d_backward", gradOutput._h, input._h, ind0)
  K.free(ind0)
  K.take(self.gradInput, h)
  return self.gradInput
end

-- for backward compatibility
Pool.install_indices(SpatialAdaptiveMaxPooling, parent)

return SpatialAdaptiveMaxPooling
