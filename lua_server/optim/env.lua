-- The global `optim` table that Torch7 code expects (`require 'optim'; optim.sgd(...)`).
-- Every optim file extends this table; requiring it twice is harmless.
require "torch"

local optim = rawget(_G, "optim")
if not optim then
  optim = {}
  rawset(_G, "optim", optim)
end
return optim
