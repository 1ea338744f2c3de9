-- Lua operators on tensors with Torch7's meaning: + and - allocate a new tensor, unary
-- minus negates, * scales or is a matrix product (1-D.1-D dot, 2-D.1-D mv, 2-D.2-D mm),
-- / and % take a number on the right. There is no elementwise *: that is cmul.
local aten = require "aten"
local core = require "torch.core"
local A = require "torch.TensorArith"

local C = aten.C
local type, error = type, error
local isTensor, wrap = core.isTensor, core.wrap
local O = {}

-- one ATen call each: a new tensor of the first tensor operand's shape
local function add_new(a, b, sign)
  if isTensor(b) then
    if core.info(a) ~= core.info(b) then  -- ATen would promote; Torch7 keeps a's type
      return a:clone():add(sign, b)
    end
    local r = core.fresh(a)
    if C.lt_small_add_new(r, a, b, sign) == 1 then return core.fresh_made(r) end
    return core.wrap_as(a, C.lt_tensor_add(a._h, A.operand(sign > 0 and "add" or "sub", a, b), sign))
  end
  return wrap(aten.call("add.Scalar", a._h, A.scalar_for(a, sign * b), 1))
end

function O.__add__(a, b)
  if isTensor(a) then return add_new(a, b, 1) end
  return add_new(b, a, 1)
end

function O.__sub__(a, b)
  if isTensor(a) then return add_new(a, b, -1) end
  return wrap(aten.call("rsub.Scalar", b._h, A.scalar_for(b, a), 1))  -- number - tensor
end

function O.__unm__(a) return wrap(aten.call("neg", a._h)) end

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
