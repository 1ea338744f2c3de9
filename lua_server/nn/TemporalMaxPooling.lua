-- nn.TemporalMaxPooling(kW [, dW=kW]): the maximum over each window of kW frames, per
-- feature, of nInputFrame×frameSize (or N×nInputFrame×frameSize) input. indices (a
-- LongTensor the output's size) holds, as in Torch7, each maximum's 0-based offset within
-- its window. The kernel is ATen's 2-D max pooling over frames×1 planes.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local Pool = require "nn.pooling"

local call = aten.call
local format = string.format
local TemporalMaxPooling, parent = torch.class("nn.TemporalMaxPooling", "nn.Module")

function TemporalMaxPooling:__init(kW, dW)
  parent.__init(self)
  self.kW = kW
  self.dW = dW or kW
end

local function check_input(self, input)
  nn.utils.checkType(self, input, self.output)
  local d = input:dim()
  if d ~= 2 and d ~= 3 then
    error(format("%s: 2D or 3D (batch mode) tensor expected for input, but got a %dD tensor",
      torch.type(self), d), 3)
  end
  if input:size(d - 1) < self.kW then
    error(format("%s: input sequence smaller than kernel size (%d < %d)", torch.type(self),
      input:size(d - 1), self.kW), 3)
  end
end

-- t (frames × features, maybe batched) as N×features×frames×1, and whether it had no batch
local function planes(t)
  local d = t:dim()
  local x = d == 2 and t:view(1, t:size(1), t:size(2)) or t
  x = x:transpose(2, 3):contiguous()
  return x:view(x:size(1), x:size(2), x:size(3), 1), d == 2
end

local function frames_first(t, unbatched)
  t = t:select(4, 1):transpose(2, 3)
  if unbatched then t = t[1] end
  return t
end

local function geometry(self)
  return { self.kW, 1 }, { self.dW, 1 }, { 0, 0 }, { 1, 1 }, false
end

function TemporalMaxPooling:updateOutput(input)
  check_input(self, input)
  local x, unbatched = planes(input)
  local out, pos = input.new(), torch.LongTensor()
  local ho, hi = call("max_pool2d_with_indices", x._h, geometry(self))
  K.take(out, ho)
  K.take(pos, hi)
  -- ATen gives the frame of each maximum; Torch7 keeps its offset in the window
  local starts = torch.range(0, pos:size(3) - 1):mul(self.dW):long():view(1, 1, pos:size(3), 1)
  -- :type() converts every tensor field; the indices stay Long
  if torch.type(self.indices) ~= "torch.LongTensor" then self.indices = torch.LongTensor() end
  local offsets = frames_first(pos - starts:expandAs(pos), unbatched)
  self.indices:resize(offsets:size()):copy(offsets)
  local y = frames_first(out, unbatched)
  self.output:resizeAs(y):copy(y)
  return self.output
end

function TemporalMaxPooling:updateGradInput(input, gradOutput)
  if not self.gradInput then return end
  check_input(self, input)
  local x, unbatched = planes(input)
  if not self.indices or not self.indices:isSameSizeAs(gradOutput) then
    error(format("%s: size mismatch: gradOutput is %s, the last output %s; call forward first", torch.type(self),
      table.concat(gradOutput:size():totable(), "x"),
      self.indices and self.indices:nElement() > 0 and table.concat(self.indices:size():totable(), "x") or "none"), 2)
  end
  local go = planes(gradOutput)
  local ind = planes(self.indices)
  local starts = torch.range(0, ind:size(3) - 1):mul(self.dW):long():view(1, 1, ind:size(3), 1)
  local frames = ind + starts:expandAs(ind)
  local g = input.new()
  K.take(g, call("max_pool2d_with_indices_backward", go._h, x._h, { self.kW, 1 }, { self.dW, 1 },
    { 0, 0 }, { 1, 1 }, false, frames._h))
  g = frames_first(g, unbatched)
  self.gradInput:resizeAs(g):copy(g)
  return self.gradInput
end

Pool.install_indices(TemporalMaxPooling, parent)

return TemporalMaxPooling
