-- nn.SpatialMaxPooling(kW, kH [, dW=kW, dH=kH, padW=0, padH=0]): the maximum of each kW×kH
-- window of C×H×W or N×C×H×W input; :ceil() / :floor() pick how the output size rounds.
-- indices (a LongTensor the output's size) holds, as in Torch7, the 1-based position of
-- each maximum within its input plane (y·iwidth + x + 1); SpatialMaxUnpooling reads it.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local run = aten.run
local format = string.format
local SpatialMaxPooling, parent = torch.class("nn.SpatialMaxPooling", "nn.Module")

local NO_DILATION = { 1, 1 }

-- SpatialDilatedMaxPooling, a subclass, sets dilationW/dilationH
local function dilation(self)
  if not (self.dilationW or self.dilationH) then return NO_DILATION end
  return { self.dilationH or 1, self.dilationW or 1 }
end

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

function SpatialMaxPooling:ceil()
  self.ceil_mode = true
  return self
end

function SpatialMaxPooling:floor()
  self.ceil_mode = false
  return self
end

local function prepare(self, input)
  nn.utils.checkType(self, input, self.output)
  local d = K.check_dims(self, input, 4, 3)
  -- models saved by older nn lack these fields
  self.ceil_mode = self.ceil_mode or false
  self.padW = self.padW or 0
  self.padH = self.padH or 0
  if not self.indices or torch.type(self.indices) ~= "torch.LongTensor" then
    self.indices = torch.LongTensor()
  end
  return d
end

function SpatialMaxPooling:updateOutput(input)
  local d = prepare(self, input)
  self.iheight, self.iwidth = input:size(d - 1), input:size(d)
  local out, ind = call("max_pool2d_with_indices", input._h, { self.kH, self.kW },
    { self.dH, self.dW }, { self.padH, self.padW }, dilation(self), self.ceil_mode)
  run("add_.Scalar", ind, 1)
  K.take(self.output, out)
  K.take(self.indices, ind)
  return self.output
end

function SpatialMaxPooling:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  prepare(self, input)
  if not self.indices:isSameSizeAs(gradOutput) then
    error(format("%s: gradOutput of size %s does not match the last output (%s); call forward first",
      torch.type(self), table.concat(gradOutput:size():totable(), "x"),
      self.indices:nElement() > 0 and table.concat(self.indices:size():totable(), "x") or "none"), 2)
  end
  local ind0 = call("sub.Scalar", self.indices._h, 1, 1)
  local h = call("max_pool2d_with_indices_backward", gradOutput._h, input._h, { self.kH, self.kW },
    { self.dH, self.dW }, { self.padH, self.padW }, dilation(self), self.ceil_mode, ind0)
  K.free(ind0)
  K.take(self.gradInput, h)
  return self.gradInput
end

-- for backward compatibility
function SpatialMaxPooling:empty()
  self:clearState()
end

function SpatialMaxPooling:clearState()
  if self.indices then self.indices:set() end
  return parent.clearState(self)
end

function SpatialMaxPooling:__tostring__()
  local s = format("%s(%dx%d, %d,%d", torch.type(self), self.kW, self.kH, self.dW, self.dH)
  if (self.padW or self.padH) and (self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padW .. "," .. self.padH
  end
  return s .. ")"
end

return SpatialMaxPooling
