-- nn.VolumetricReplicationPadding(pleft [, pright=pleft, ptop=pleft, pbottom=pleft,
-- pfront=pleft, pback=pleft]): pads the last three dimensions of C×T×H×W or N×C×T×H×W
-- input by repeating the border values.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local format = string.format
local VolumetricReplicationPadding, parent = torch.class("nn.VolumetricReplicationPadding", "nn.Module")

function VolumetricReplicationPadding:__init(pleft, pright, ptop, pbottom, pfront, pback)
  parent.__init(self)
  self.pleft = pleft
  self.pright = pright or self.pleft
  self.ptop = ptop or self.pleft
  self.pbottom = pbottom or self.pleft
  self.pfront = pfront or self.pleft
  self.pback = pback or self.pleft
end

local function padding(self)
  return { self.pleft, self.pright, self.ptop, self.pbottom, self.pfront, self.pback }
end

local function check(self, input, level)
  if input:dim() ~= 4 and input:dim() ~= 5 then
    error(format("%s: input must be 4 or 5-dimensional, got a %dD tensor", torch.type(self), input:dim()),
      level + 1)
  end
  nn.utils.checkType(self, input, self.output)
end

function VolumetricReplicationPadding:updateOutput(input)
  check(self, input, 2)
  K.take(self.output, call("replication_pad3d", input._h, padding(self)))
  return self.output
end

function VolumetricReplicationPadding:updateGradInput(input, gradOutput)
  check(self, input, 2)
  local d = input:dim()
  local want = input:size():totable()
  want[d] = want[d] + self.pleft + self.pright
  want[d - 1] = want[d - 1] + self.ptop + self.pbottom
  want[d - 2] = want[d - 2] + self.pfront + self.pback
  if table.concat(want, "x") ~= table.concat(gradOutput:size():totable(), "x") then
    error(format("%s: size mismatch: gradOutput is %s, the padded input is %s", torch.type(self),
      table.concat(gradOutput:size():totable(), "x"), table.concat(want, "x")), 2)
  end
  K.take(self.gradInput, call("replication_pad3d_backward", gradOutput._h, input._h, padding(self)))
  return self.gradInput
end

function VolumetricReplicationPadding:__tostring__()
  return torch.type(self) .. format("(left=%d, right=%d, top=%d, bottom=%d, front=%d, back=%d)",
    self.pleft, self.pright, self.ptop, self.pbottom, self.pfront, self.pback)
end

return VolumetricReplicationPadding
