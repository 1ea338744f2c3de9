-- nn.Kmeans(k, dim [, scale]): online hard k-means. forward maps each row of a batch x dim
-- input to the index of its nearest centroid (the rows of weight; ties go to the first)
-- and keeps the within-cluster squared error in `loss`; gradInput is zero (the layer has
-- its own objective). accGradParameters accumulates -scale * mean(x - c_k) over the
-- samples of each cluster k, so a gradient step moves the centroids to their means.
local torch = require "torch"
local Kmeans, parent = torch.class("nn.Kmeans", "nn.Module")

function Kmeans:__init(k, dim, scale)
  parent.__init(self)
  assert(k > 0, "Clusters cannot be 0 or negative.")
  assert(dim > 0, "Dimensionality cannot be 0 or negative.")
  self.k = k
  self.dim = dim
  self.scale = scale
  self.weight = torch.Tensor(k, dim)
  self.gradWeight = torch.Tensor(k, dim)
  self.loss = 0
  self.clusterSampleCount = torch.Tensor(k)
  self:reset()
end

function Kmeans:reset(stdev)
  stdev = stdev or 1
  self.weight:uniform(-stdev, stdev)
end

local function checkSamples(self, input)
  assert(input:dim() == 2, "Incorrect input dimensionality. Expecting 2D.")
  assert(input:size(2) == self.dim, "Dimensionality of input and weight don't match.")
end

-- k random rows of the input (drawn with replacement) become the centroids
function Kmeans:initRandom(input)
  checkSamples(self, input)
  local n = input:size(1)
  assert(n >= self.k, "Need atleast k samples for initialization.")
  local rows = torch.zeros(self.k):random(1, n)
  for i = 1, self.k do self.weight[i]:copy(input[rows[i]]) end
end

-- k-means++-style seeding: a random first centroid, then each next one drawn among the
-- ceil((1 - p) n) samples farthest from the centroid chosen just before
function Kmeans:initKmeansPlus(input, p)
  self.p = p or self.p or 0.95
  assert(self.p >= 0 and self.p <= 1, "P value should be between 0-1.")
  checkSamples(self, input)
  local n = input:size(1)
  local pcount = math.max(math.ceil((1 - self.p) * n), 1)
  self.weight[1]:copy(input[torch.random(n)])
  local distances = self.weight.new(n):fill(math.huge)
  for c = 2, self.k do
    local previous = self.weight[c - 1]
    for i = 1, n do
      local d = input[i]:dist(previous)
      distances[i] = math.min(d * d, distances[i])
    end
    local _, order = distances:sort(true)
    self.weight[c]:copy(input[order[torch.random(pcount)]])
  end
end

-- squared distances (k x batch) of every sample to every centroid
local function squaredDistances(self, input)
  local b = input:size(1)
  local diff = input:view(1, b, self.dim):expand(self.k, b, self.dim):clone()
  diff:add(-1, self.weight:view(self.k, 1, self.dim):expand(self.k, b, self.dim))
  return diff:norm(2, 3):pow(2):view(self.k, b)
end

function Kmeans:updateOutput(input)
  checkSamples(self, input)
  assert(input:isContiguous(), "Input is not contiguous.")
  local b = input:size(1)
  local score, index = torch.min(squaredDistances(self, input), 1)
  self._minIndx = index:view(b)
  self.output:resize(b):copy(self._minIndx)
  self.loss = score:sum()
  return self.output
end

function Kmeans:updateGradInput(input, gradOutput)
  self.gradInput:resize(input:size()):zero()
  return self.gradInput
end

function Kmeans:accGradParameters(input, gradOutput, scale)
  scale = self.scale or scale or 1
  assert(scale > 0, " Scale has to be positive.")
  local b = input:size(1)
  self.clusterSampleCount:zero()
  self.clusterSampleCount:indexAdd(1, self._minIndx, self.weight.new(b):fill(1))
  -- -scale * (x - c) for every sample, summed per cluster and divided by its size
  local perSample = self.weight:index(1, self._minIndx):mul(-1):add(input):mul(-scale)
  local perCluster = self.gradWeight.new():resizeAs(self.gradWeight):zero()
  perCluster:indexAdd(1, self._minIndx, perSample)
  local counts = self.clusterSampleCount:clone():add(1e-7)  -- no division by zero
  perCluster:cdiv(counts:view(self.k, 1):expandAs(perCluster))
  self.gradWeight:add(perCluster)
end

function Kmeans:clearState()
  self._minIndx = nil
  return parent.clearState(self)
end

function Kmeans:type(type_name, tensorCache)
  self:clearState()
  return parent.type(self, type_name, tensorCache)
end

return Kmeans
