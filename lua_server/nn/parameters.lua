-- A layer's weight and bias as Torch7 starts them: reset draws both from U(-stdv, stdv),
-- weight first, with stdv = 1/sqrt(fan-in) unless the caller gives one (then scaled by
-- sqrt(3), so that it is the standard deviation); noBias drops the bias for good.
local sqrt = math.sqrt

local P = {}

-- returns self, for the resets that Torch7 code chains
function P.reset_uniform(self, stdv, fanIn)
  if stdv then
    stdv = stdv * sqrt(3)
  else
    stdv = 1 / sqrt(fanIn)
  end
  self.weight:uniform(-stdv, stdv)
  if self.bias then self.bias:uniform(-stdv, stdv) end
  return self
end

function P.install_noBias(class)
  function class:noBias()
    self.bias = nil
    self.gradBias = nil
    return self
  end
end

return P
