-- nn.VolumetricMaxPooling(kT, kW, kH [, dT=kT, dW=kW, dH=kH, padT=0, padW=0, padH=0]): the
-- maximum of each kT×kH×kW window of C×T×H×W or N×C×T×H×W input; :ceil() / :floor().
-- indices holds 1-based positions within each input volume (t·H·W + y·W + x + 1).
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local run = aten.run
local format = string.format
local VolumetricMaxPooling, parent = torch.class("nn.VolumetricMaxPooling", "nn.Module")

VolumetricMaxPooling.__version = 2


function VolumetricMaxPooling:__init(kT, kW, kH, dT, dW, dH, padT, padW, padH)
  parent.__init(self)
  self.kT = kT
  self.kH = kH
  self.kW = kW
  self.dT = dT or kT
  self.dW = dW or kW
  self.dH = dH or kH
  self.padT = padT or 0
  self.padW = padW or 0
  self.padH = padH or 0
  self.ceil_mode = false
  self.indices = torch.LongTensor()
end

function VolumetricMaxPooling:ceil()
  self.ceil_mode = true
  return self
end

function VolumetricMaxPooling:floor()
  self.ceil_mode = false
  return self
end

local function prepare(self, input)
  nn.utils.checkType(self, input, self.output)
  local d = K.check_dims(self, input, 5, 3)
  self.padT, self.padW, self.padH = self.padT or 0, self.padW or 0, self.padH or 0
  if not self.indices or torch.type(self.indices) ~= "torch.LongTensor" then
    self.indices = torch.LongTensor()
  end
  return d
end

-- kernel, stride, padding, dilation (VolumetricDilatedMaxPooling, a subclass, sets dilation*)
local function geometry(self)
  return { self.kT, self.kH, self.kW }, { self.dT, self.dH, self.dW }, { self.padT, self.padH, self.padW },
    { self.dilationT or 1, self.dilationH or 1, self.dilationW or 1 }
end

function VolumetricMaxPooling:updateOutput(input)
  local d = prepare(self, input)
  self.itime, self.iheight, self.iwidth = input:size(d - 2), input:size(d - 1), input:size(d)
  local k, s, p, dil = geometry(self)
  local out, ind = call("max_pool3d_with_indices", input._h, k, s, p, dil, self.ceil_mode)
  run("add_.Scalar", ind, 1)
  K.take(self.output, out)
  K.take(self.indices, ind)
  return self.output
end

function VolumetricMaxPooling:updateGradInput(input, gradOutput)
  prepare(self, input)
  local k, s, p, dil = geometry(self)
  local ind0 = call("sub.Scalar", self.indices._h, 1, 1)
  local h = call("max_pool3d_with_indices_backward", gradOutput._h, input._h, k, s, p, dil,
    self.ceil_mode, ind0)
  K.free(ind0)
  K.take(self.gradInput, h)
  return self.gradInput
end

function VolumetricMaxPooling:empty()
  self:clearState()
end

function VolumetricMaxPooling:clearState()
  if self.indices then self.indices:set() end
  return parent.clearState(self)
end

-- version 1 files predate ceil_mode
function VolumetricMaxPooling:read(file, version)
  local fields = file:readObject()
  for k, v in pairs(fields) do self[k] = v end
  if version < 2 then self.ceil_mode = false end
end

function VolumetricMaxPooling:__tostring__()
  local s = format("%s(%dx%dx%d, %d,%d,%d", torch.type(self), self.kT, self.kW, self.kH,
    self.dT, self.dW, self.dH)
  if (self.padT or self.padW or self.padH) and
      (self.padT ~= 0 or self.padW ~= 0 or self.padH ~= 0) then
    s = s .. ", " .. self.padT .. "," .. self.padW .. "," .. self.padH
  end
  return s .. ")"
end

return VolumetricMaxPooling
