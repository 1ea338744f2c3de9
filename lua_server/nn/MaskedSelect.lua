-- nn.MaskedSelect(): input {t, mask} -> the elements of t where the (Byte) mask is 1, as a
-- vector. The gradient puts gradOutput back at those places; the mask gets zeros.
local torch = require "torch"
local MaskedSelect, parent = torch.class("nn.MaskedSelect", "nn.Module")

function MaskedSelect:__init()
  parent.__init(self)
  self._gradBuffer = torch.Tensor()
  self._gradMask = torch.ByteTensor()
end

function MaskedSelect:updateOutput(input)
  self.output:maskedSelect(input[1], input[2])
  return self.output
end

function MaskedSelect:updateGradInput(input, gradOutput)
  local t, mask = input[1], input[2]
  self._gradBuffer = nn.utils.typeLike(self._gradBuffer, t)
  self._gradBuffer:resizeAs(t):zero():maskedCopy(mask, gradOutput)
  self.gradInput = { self._gradBuffer, self._gradMask:resizeAs(mask):zero() }
  return self.gradInput
end

function MaskedSelect:type(typeName, tensorCache)
  if not typeName then return parent.type(self) end
  -- the mask buffer stays a ByteTensor
  local mask = self._gradMask
  self._gradMask = nil
  parent.type(self, typeName, tensorCache)
  self._gradMask = mask
  return self
end

function MaskedSelect:clearState()
  nn.utils.clear(self, "_gradBuffer", "_gradMask")
  return parent.clearState(self)
end

return MaskedSelect
