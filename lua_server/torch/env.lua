-- The global `torch` table that Torch7 code expects, with the class system installed.
-- Everything else in the runtime extends this table; requiring it twice is harmless.
local class = require "torch.class"

local torch = rawget(_G, "torch")
if not torch then
  torch = {}
  rawset(_G, "torch", torch)
end

torch.class = class.class
torch.newmetatable = class.newmetatable
torch.getmetatable = class.getmetatable
torch.setmetatable = class.setmetatable
torch.typename = class.typename
torch.type = class.type
torch.isTypeOf = class.isTypeOf
torch.factory = class.factory
torch.getconstructortable = class.constructor

return torch
