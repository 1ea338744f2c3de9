-- Lua operators on tensors with Torch7's meaning: + and - allocate a new tensor, unary
-- minus negates, * scales or is a matrix product (1-D.1-D dot, 2-D.1-D mv, 2-D.2-D mm),
-- / and % take a number on the right. There is no elementwise *: that is cmul.
local core = require "torch.core"

local type, error = type, error
local isTensor = core.isTensor
local O = {}

function O.__add__(a, b)
  if isTensor(a) then
    if isTensor(b) then return a:clone():add(b) end
    return a:clone():add(b)
  end
  return b:clone():add(a)
end

function O.__sub__(a, b)
  if isTensor(a) then return a:clone():csub(b) end
  return b:clone():mul(-1):add(a)  -- number - tensor
end

function O.__unm__(a) return a:clone():mul(-1) end

function O.__mul__(a, b)
  if not isTensor(a) then return b:clone():mul(a) end
  if not isTensor(b) then return a:clone():mul(b) end
  local da, db = a:dim(), b:dim()
  if da == 1 and db == 1 then return a:dot(b) end
  if da == 2 and db == 1 then return a.new():mv(a, b) end
  if da == 2 and db == 2 then return a.new():mm(a, b) end
  error(string.format("multiplication between %dD and %dD tensors is not supported " ..
    "(* is a matrix product; use cmul for elementwise)", da, db), 2)
end

function O.__div__(a, b)
  if type(b) ~= "number" then
    error("division of a tensor needs a number on the right (use cdiv for tensors)", 2)
  end
  return a:clone():div(b)
end

function O.__mod__(a, b)
  if type(b) ~= "number" then error("% of a tensor needs a number on the right", 2) end
  return a:clone():fmod(b)
end

function O.__len__(a) return a:size() end

function O.__eq__(a, b) return rawequal(a, b) end

-- install as methods so the class forwarders (see torch/class.lua) find them
for k, v in pairs(O) do core.methods[k] = v end
return O
