-- nn.ReLU([inplace=false]) is Threshold(0, 0).
local torch = require "torch"
local ReLU, parent = torch.class("nn.ReLU", "nn.Threshold")

function ReLU:__init(p)
  parent.__init(self, 0, 0, p)
end

function ReLU:__tostring__()
  return torch.type(self)
end

return ReLU
