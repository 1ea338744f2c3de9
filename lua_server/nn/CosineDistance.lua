-- nn.CosineDistance: input {a, b} (vectors, or batch x n) gives the cosine of the angle
-- between each pair of rows, <a, b> / sqrt((||a||^2 + 1e-12) (||b||^2 + 1e-12)).
local torch = require "torch"
local CosineDistance, parent = torch.class("nn.CosineDistance", "nn.Module")

local EPS = 1e-12

function CosineDistance:__init()
  parent.__init(self)
  self.gradInput = { torch.Tensor(), torch.Tensor() }
end

local function rows(a, b)
  a, b = a:contiguous(), b:contiguous()
  if a:dim() == 1 then return a:view(1, -1), b:view(1, -1), true end
  return a, b, false
end

-- w1 = <a, b>, w22 = 1 / (||a||^2 + eps), w32 = 1 / (||b||^2 + eps), w = sqrt(w22 w32)
-- (Torch7's buffer names, kept for saved modules)
function CosineDistance:updateOutput(input)
  local a, b = rows(input[1], input[2])
  self.w1 = torch.cmul(a, b):sum(2)
  self.w22 = torch.cmul(a, a):sum(2):add(EPS)
  self.w22:cinv()
  self.w32 = torch.cmul(b, b):sum(2):add(EPS)
  self.w32:cinv()
  self.w = torch.cmul(self.w22, self.w32):sqrt()
  self.output:resize(a:size(1)):copy(torch.cmul(self.w1, self.w))
  return self.output
end

-- d/da = (b - w1 w22 a) w g, d/db = (a - w1 w32 b) w g
function CosineDistance:updateGradInput(input, gradOutput)
  local a, b, single = rows(input[1], input[2])
  self.gradInput[1] = self.gradInput[1] or a.new()
  self.gradInput[2] = self.gradInput[2] or a.new()
  local ga, gb = self.gradInput[1], self.gradInput[2]
  local scale = torch.cmul(self.w, gradOutput:contiguous():view(-1, 1)):expandAs(a)
  ga:resizeAs(a):copy(b):addcmul(-1, torch.cmul(self.w1, self.w22):expandAs(a), a):cmul(scale)
  gb:resizeAs(a):copy(a):addcmul(-1, torch.cmul(self.w1, self.w32):expandAs(a), b):cmul(scale)
  if single then
    ga:resize(a:size(2))
    gb:resize(a:size(2))
  end
  return self.gradInput
end

function CosineDistance:clearState()
  nn.utils.clear(self, "buffer", "w1", "w22", "w", "w32", "ones")
  return parent.clearState(self)
end

return CosineDistance
