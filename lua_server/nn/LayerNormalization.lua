-- nn.LayerNormalization(nOutput [, bias=0, eps=1e-10, affine=true]): each sample of a
-- batch x nOutput input minus its mean, scaled to norm sqrt(nOutput), then (affine) a
-- learnt gain (CMul, starts at 1) and bias (Add, starts at `bias`). Built from nn modules
-- as Torch7 builds it, so saved models keep their layout.
local torch = require "torch"
local LayerNormalization, parent = torch.class("nn.LayerNormalization", "nn.Sequential")

function LayerNormalization:__init(nOutput, bias, eps, affine)
  parent.__init(self)
  eps = eps or 1e-10
  if affine == nil then affine = true end
  bias = bias or 0
  local centred = nn.ConcatTable()
    :add(nn.Identity())
    :add(nn.Sequential():add(nn.Mean(1, 1)):add(nn.Replicate(nOutput, 1, 1)))
  self:add(centred)
    :add(nn.CSubTable())
    :add(nn.Normalize(2, eps))
    :add(nn.MulConstant(math.sqrt(nOutput)))
  if affine then
    -- constructed in Torch7's order (Add first), so the draws they overwrite match
    local shift = nn.Add(nOutput, false)
    shift.bias:fill(bias)
    local gain = nn.CMul(nOutput)
    gain.weight:fill(1)
    self:add(gain)
    self:add(shift)
  end
end

return LayerNormalization
