-- nn.PairwiseDistance(p): input {a, b} (vectors, or batch x n) gives ||a - b||_p per row.
-- The gradient divides by (distance + 1e-6)^(p-1), as Torch7 does, so equal rows give no NaN.
local torch = require "torch"
local PairwiseDistance, parent = torch.class("nn.PairwiseDistance", "nn.Module")

function PairwiseDistance:__init(p)
  parent.__init(self)
  self.gradInput = { torch.Tensor(), torch.Tensor() }
  self.output = torch.Tensor(1)
  self.diff = torch.Tensor()
  self.norm = p
end

local function checkDims(input)
  local d = input[1]:dim()
  if d ~= 1 and d ~= 2 then error("nn.PairwiseDistance: input must be vector or matrix", 3) end
  return d
end

function PairwiseDistance:updateOutput(input)
  if checkDims(input) == 1 then
    self.output:resize(1)
    self.output[1] = input[1]:dist(input[2], self.norm)
  else
    self.diff = self.diff or input[1].new()
    self.diff:resizeAs(input[1]):copy(input[1]):add(-1, input[2]):abs()
    self.output:resize(input[1]:size(1)):copy(self.diff:pow(self.norm):sum(2))
    self.output:pow(1 / self.norm)
  end
  return self.output
end

-- d||d||_p / d a_k = sign(d_k) |d_k|^(p-1) / ||d||_p^(p-1); b's gradient is its negation
function PairwiseDistance:updateGradInput(input, gradOutput)
  local single = checkDims(input) == 1
  -- clearState empties the gradInput table (as Torch7's does), so the pair is rebuilt here
  self.gradInput[1] = self.gradInput[1] or input[1].new()
  self.gradInput[2] = self.gradInput[2] or input[2].new()
  local ga, gb = self.gradInput[1], self.gradInput[2]
  ga:resizeAs(input[1]):copy(input[1]):add(-1, input[2])
  local p = self.norm
  if p == 1 then
    -- Torch7 gives an exact zero difference a random sign, drawn from its generator
    ga:apply(function(v)
      if v > 0 then return 1 end
      if v < 0 then return -1 end
      return 2 * torch.random(2) - 3
    end)
  else
    if p > 2 then ga:cmul(ga:clone():abs():pow(p - 2)) end
    if single then
      ga:mul(math.pow(self.output[1] + 1e-6, -(p - 1)))
    else
      self.outExpand = self.outExpand or self.output.new()
      self.outExpand:resize(self.output:size(1), 1):copy(self.output):add(1e-6):pow(-(p - 1))
      ga:cmul(self.outExpand:expandAs(ga))
    end
  end
  if single then
    ga:mul(gradOutput[1])
  else
    ga:cmul(gradOutput:contiguous():view(-1, 1):expandAs(ga))
  end
  gb:resizeAs(ga):zero():add(-1, ga)
  return self.gradInput
end

function PairwiseDistance:clearState()
  nn.utils.clear(self, "diff", "outExpand", "grad", "ones")
  return parent.clearState(self)
end

return PairwiseDistance
