-- The sequence input of nn's temporal layers: nInputFrame×inputFrameSize, or with a batch
-- N×nInputFrame×inputFrameSize. The layers that run ATen's 1-D convolution see it as
-- N×inputFrameSize×nInputFrame ("channels first"), a view, and turn results back.
local torch = require "torch"

local format = string.format
local error = error

local Seq = {}

-- t must be 2-D or 3-D (batch mode); errors blame the function `level` frames up, the
-- caller being 1. Returns t:dim().
function Seq.check_dims(self, t, level)
  local d = t:dim()
  if d ~= 2 and d ~= 3 then
    error(format("%s: 2D or 3D (batch mode) tensor expected for input, but got a %dD tensor",
      torch.type(self), d), level + 1)
  end
  return d
end

-- t as N×features×frames (a view), and whether it had no batch dimension; featFirst says
-- t already has its features before its frames
function Seq.channels_first(t, featFirst)
  local unbatched = t:dim() == 2
  local x = unbatched and t:view(1, t:size(1), t:size(2)) or t
  if not featFirst then x = x:transpose(2, 3) end
  return x, unbatched
end

-- a channels-first result back in the input's layout
function Seq.layout_back(t, unbatched, featFirst)
  if not featFirst then t = t:transpose(2, 3) end
  if unbatched then t = t[1] end
  return t
end

return Seq
