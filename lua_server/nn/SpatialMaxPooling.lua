-- nn.SpatialMaxPooling(kW, kH [, dW=kW, dH=kH, padW=0, padH=0]): the maximum of each kW×kH
-- window of C×H×W or N×C×H×W input; :ceil() / :floor() pick how the output size rounds.
-- indices (a LongTensor the output's size) holds, as in Torch7, the 1-based position of
-- each maximum within its input plane (y·iwidth + x + 1); SpatialMaxUnpooling reads it.
-- SpatialDilatedMaxPooling, a subclass, sets dilationW/dilationH.
local torch = require "torch"
local G = require "nn.geometry"
local Pool = require "nn.pooling"

local format = string.format
local SpatialMaxPooling, parent = torch.class("nn.SpatialMaxPooling", "nn.Module")

local XY = G.SPATIAL

function SpatialMaxPooling:__init(kW, kH, dW, dH, padW, padH)
  parent.__init(self)
  self.kW = kW
  self.kH = kH
  self.dW = dW or kW
  self.dH = dH or kH
  self.padW = padW or 0
  self.padH = padH or 0
  self.ceil_mode = false
  self.indices = torch.LongTensor()
end

Pool.install_rounding(SpatialMaxPooling)

local function prepare(self, input)
  local d = Pool.prepare_max(self, input, XY, 3)
  self.ceil_mode = self.ceil_mode or false  -- models saved by older nn lack it
  return d
end

function SpatialMaxPooling:updateOutput(input)
  local d = prepare(self, input)
  self.iheight, self.iwidth = input:size(d - 1), input:size(d)
  return Pool.max_forward(self, input, "max_pool2d_with_indices", XY)
end

function SpatialMaxPooling:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  prepare(self, input)
  if not self.indices:isSameSizeAs(gradOutput) then
    error(format("%s: gradOutput of size %s does not match the last output (%s); call forward first",
      torch.type(self), table.concat(gradOutput:size():totable(), "x"),
      self.indices:nElement() > 0 and table.concat(self.indices:size():totable(), "x") or "none"), 2)
  end
  return Pool.max_backward(self, input, gradOutput, "max_pool2d_with_indices_backward", XY)
end

Pool.install_indices(SpatialMaxPooling, parent)

function SpatialMaxPooling:__tostring__()
  return Pool.describe(self, XY) .. ")"
end

return SpatialMaxPooling
