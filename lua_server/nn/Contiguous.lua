-- nn.Contiguous(): the input itself when it is contiguous, else a contiguous copy of it
-- (and the same for gradOutput on the way back).
local torch = require "torch"
local Contiguous, parent = torch.class("nn.Contiguous", "nn.Module")

-- buf made to hold x: shares x when contiguous, else a copy (never writes into x's storage)
local function contiguousLike(buf, x)
  if x:isContiguous() then return buf:set(x) end
  if buf:storage() ~= nil and x:storage() ~= nil
      and torch.pointer(buf:storage()) == torch.pointer(x:storage()) then
    buf = buf.new()
  end
  return buf:resizeAs(x):copy(x)
end

function Contiguous:updateOutput(input)
  self.output = contiguousLike(self.output, input)
  return self.output
end

function Contiguous:updateGradInput(input, gradOutput)
  self.gradInput = contiguousLike(self.gradInput, gradOutput)
  return self.gradInput
end

return Contiguous
