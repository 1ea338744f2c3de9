-- nn.MM([transA=false, transB=false]): the matrix product of input {A, B} (2-D), or of
-- every pair of a batch (3-D, batch first), each side optionally transposed.
local torch = require "torch"
local MM, parent = torch.class("nn.MM", "nn.Module")

function MM:__init(transA, transB)
  parent.__init(self)
  self.transA = transA or false
  self.transB = transB or false
  self.gradInput = { torch.Tensor(), torch.Tensor() }
end

local function fail(msg) error("nn.MM: " .. msg, 4) end

-- the matrix dimensions (2-D: 1, 2; batched: 2, 3) and the product function
local function shape(a, b)
  if #{ a, b } ~= 2 then fail("input must be a pair of tensors") end
  if a:dim() == 2 then
    if b:dim() ~= 2 then fail("second input tensor must be 2D") end
    return 1, 2, "mm"
  elseif a:dim() == 3 then
    if b:dim() ~= 3 then fail("second input tensor must be 3D") end
    if a:size(1) ~= b:size(1) then fail("inputs must contain the same number of minibatches") end
    return 2, 3, "bmm"
  end
  fail("input tensors must be 2D or 3D")
end

function MM:updateOutput(input)
  local a, b = input[1], input[2]
  local h, w, prod = shape(a, b)
  if self.transA then a = a:transpose(h, w) end
  if self.transB then b = b:transpose(h, w) end
  if a:size(w) ~= b:size(h) then
    fail(string.format("matrix sizes do not match (%s and %s)",
      table.concat(a:size():totable(), "x"), table.concat(b:size():totable(), "x")))
  end
  if prod == "mm" then
    self.output:resize(a:size(1), b:size(2))
  else
    self.output:resize(a:size(1), a:size(2), b:size(3))
  end
  self.output[prod](self.output, a, b)
  return self.output
end

-- C = op(A) op(B): dA = g op(B)^T (transposed back if A was), dB likewise
function MM:updateGradInput(input, gradOutput)
  local a, b = input[1], input[2]
  local h, w, prod = shape(a, b)
  self.gradInput[1]:resizeAs(a)
  self.gradInput[2]:resizeAs(b)
  local g = gradOutput
  if self.transA == self.transB then
    a = a:transpose(h, w)
    b = b:transpose(h, w)
  end
  if self.transA then
    self.gradInput[1][prod](self.gradInput[1], b, g:transpose(h, w))
  else
    self.gradInput[1][prod](self.gradInput[1], g, b)
  end
  if self.transB then
    self.gradInput[2][prod](self.gradInput[2], g:transpose(h, w), a)
  else
    self.gradInput[2][prod](self.gradInput[2], a, g)
  end
  return self.gradInput
end

return MM
