-- nn.SoftMarginCriterion: the two-class logistic loss sum log(1 + exp(-y x)) for targets
-- y in {-1, 1}, divided by the element count when sizeAverage (the default).
local torch = require "torch"
local SoftMarginCriterion, parent = torch.class("nn.SoftMarginCriterion", "nn.Criterion")

function SoftMarginCriterion:__init()
  parent.__init(self)
  self.sizeAverage = true
end

local function margins(input, target)
  if input:nElement() ~= target:nElement() then
    error(string.format("nn.SoftMarginCriterion: size mismatch, input %s, target %s",
      table.concat(input:size():totable(), "x"), table.concat(target:size():totable(), "x")), 3)
  end
  return torch.cmul(input:contiguous():view(-1), target:contiguous():view(-1)):mul(-1)
end

function SoftMarginCriterion:updateOutput(input, target)
  local loss = margins(input, target):exp():add(1):log():sum()
  if self.sizeAverage then loss = loss / input:nElement() end
  self.output = loss
  return self.output
end

-- d/dx = -y e / (1 + e), e = exp(-y x)
function SoftMarginCriterion:updateGradInput(input, target)
  local e = margins(input, target):exp()
  local g = torch.cdiv(e, e:clone():add(1)):cmul(target:contiguous():view(-1)):mul(-1)
  if self.sizeAverage then g:div(input:nElement()) end
  self.gradInput:resizeAs(input):copy(g:viewAs(input))
  return self.gradInput
end

return SoftMarginCriterion
