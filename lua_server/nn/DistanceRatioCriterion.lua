-- nn.DistanceRatioCriterion([sizeAverage=true]): the probabilistic triplet loss
-- -log(exp(-X) / (exp(-X) + exp(-Y))) = X + log(exp(-X) + exp(-Y)) for input {X, Y}, the
-- distances of similar (X) and dissimilar (Y) pairs; no target.
-- Reference: https://arxiv.org/pdf/1412.6622v3.pdf
local torch = require "torch"
local DistanceRatioCriterion, parent = torch.class("nn.DistanceRatioCriterion", "nn.Criterion")

function DistanceRatioCriterion:__init(sizeAverage)
  parent.__init(self)
  if sizeAverage ~= nil then self.sizeAverage = sizeAverage else self.sizeAverage = true end
end

local function distances(input)
  if #input ~= 2 then error("nn.DistanceRatioCriterion: input must be {X, Y}, got " .. #input .. " entries", 3) end
  local X, Y = input[1], input[2]
  if X:nElement() ~= Y:nElement() or X:size(1) ~= Y:size(1) then
    error("nn.DistanceRatioCriterion: the numbers of distances don't match", 3)
  end
  return X, Y
end

function DistanceRatioCriterion:updateOutput(input)
  local X, Y = distances(input)
  self.expMinusX = torch.mul(X, -1):exp()
  self.expMinusY = torch.mul(Y, -1):exp()
  self.sumExpMinusXY = torch.add(self.expMinusX, self.expMinusY)
  local loss = torch.log(self.sumExpMinusXY):add(X):sum()
  if self.sizeAverage then loss = loss / X:size(1) end
  self.output = loss
  return self.output
end

-- dL/dX = 1 - exp(-X) / S, dL/dY = -exp(-Y) / S, S = exp(-X) + exp(-Y)
function DistanceRatioCriterion:updateGradInput(input)
  local X, Y = distances(input)
  local gx = torch.cdiv(self.expMinusX, self.sumExpMinusXY):mul(-1):add(1)
  local gy = torch.cdiv(self.expMinusY, self.sumExpMinusXY):mul(-1)
  if self.sizeAverage then
    gx:div(X:size(1))
    gy:div(X:size(1))
  end
  self.gradInput = { gx, gy }
  return self.gradInput
end

return DistanceRatioCriterion
