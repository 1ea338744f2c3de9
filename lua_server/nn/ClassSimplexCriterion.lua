-- nn.ClassSimplexCriterion(nClasses): MSE between the input and the embedding of the
-- target class, a vertex of a regular simplex centred at the origin (unit-norm vertices,
-- in nClasses - 1 dimensions, padded with a zero column to nClasses).
-- Reference: http://arxiv.org/abs/1506.08230
local torch = require "torch"
local ClassSimplexCriterion, parent = torch.class("nn.ClassSimplexCriterion", "nn.MSECriterion")

-- the n + 1 vertices (rows) of a regular simplex in R^n with unit norms
local function regularSimplex(n)
  local a = torch.zeros(n + 1, n)
  for k = 1, n do
    if k == 1 then
      a[k][k] = 1
    else
      local used = a[{ { k }, { 1, k - 1 } }]:norm()
      a[k][k] = math.sqrt(1 - used * used)
    end
    -- every later vertex gets the coordinate that makes its dot product with vertex k -1/n
    local c = (a[k][k] ^ 2 - 1 - 1 / n) / a[k][k]
    a[{ { k + 1, n + 1 }, { k } }]:fill(c)
  end
  return a
end

function ClassSimplexCriterion:__init(nClasses)
  parent.__init(self)
  assert(nClasses and nClasses > 1 and nClasses == math.floor(nClasses),
    "Required positive integer argument nClasses > 1")
  self.nClasses = nClasses
  local simplex = regularSimplex(nClasses - 1)
  self.simplex = torch.cat(simplex, torch.zeros(simplex:size(1), nClasses - simplex:size(2)), 2)
  self._target = torch.Tensor(nClasses)
end

-- a class number, or a 1-D tensor of them, becomes the rows of the simplex
local function embed(self, target)
  if type(target) == "number" then
    self._target:resize(self.nClasses):copy(self.simplex[target])
  elseif torch.isTensor(target) then
    if target:dim() ~= 1 then error("nn.ClassSimplexCriterion: 1D target tensors only", 3) end
    self._target:resize(target:size(1), self.nClasses)
    for i = 1, target:size(1) do self._target[i]:copy(self.simplex[target[i]]) end
  end
end

function ClassSimplexCriterion:updateOutput(input, target)
  embed(self, target)
  self._target = self._target:typeAs(input)
  return parent.updateOutput(self, input, self._target)
end

function ClassSimplexCriterion:updateGradInput(input, target)
  return parent.updateGradInput(self, input, self._target)
end

-- the dot products of each input row with every class embedding
function ClassSimplexCriterion:getPredictions(input)
  if input:dim() == 1 then input = input:view(1, -1) end
  return torch.mm(input, self.simplex:typeAs(input):t())
end

function ClassSimplexCriterion:getTopPrediction(input)
  local scores = self:getPredictions(input)
  local _, best = scores:max(scores:dim())
  return best:view(-1)
end

return ClassSimplexCriterion
