-- nn.MixtureTable([dim]): input {gater, experts} -> sum_i gater_i * expert_i, a mixture of
-- experts. gater is n (one sample) or batch x n; experts is a table of n tensors of one size,
-- or one tensor holding the n experts along dimension dim (default 2 with a batch, else 1).
local torch = require "torch"
local MixtureTable, parent = torch.class("nn.MixtureTable", "nn.Module")

function MixtureTable:__init(dim)
  parent.__init(self)
  self.dim = dim
  self.size = torch.LongStorage()
  self.batchSize = 0
  self.size2 = torch.LongStorage()
  self.backwardSetup = false
  self.gradInput = {}
end

-- the gater viewed so that selecting expert i along self.dim broadcasts over an expert
local function gaterView(self, gater, nDims)
  self.size:resize(nDims):fill(1)
  if self.dimG > 1 then self.size[1] = gater:size(1) end
  self.size[self.dim] = gater:size(self.dimG)
  return gater:contiguous():view(self.size)
end

function MixtureTable:updateOutput(input)
  local gater, experts = input[1], input[2]
  self.dimG = 2
  local batchSize = gater:size(1)
  if gater:dim() < 2 then
    self.dimG = 1
    self.dim = self.dim or 1
    batchSize = 1
  end
  self.dim = self.dim or 2
  self.batchSize = batchSize
  if self.table or (type(experts) == "table" and not torch.isTensor(experts)) then
    self.table = true
    if gater:size(self.dimG) ~= #experts then
      error(string.format("nn.MixtureTable: %d gater outputs for %d experts",
        gater:size(self.dimG), #experts), 2)
    end
    local g = gaterView(self, gater, experts[1]:dim() + 1)
    self.output:resizeAs(experts[1]):zero()
    for i, expert in ipairs(experts) do
      self.output:addcmul(expert, g:select(self.dim, i):expandAs(expert))
    end
  else
    local g = gaterView(self, gater, experts:dim())
    self._expert = self._expert or experts.new()
    self._expert:cmul(g:expandAs(experts), experts)
    self.output:sum(self._expert, self.dim)
    self.output:resizeAs(experts:select(self.dim, 1))
  end
  return self.output
end

function MixtureTable:updateGradInput(input, gradOutput)
  local gater, experts = input[1], input[2]
  self.gradInput[1] = nn.utils.typeLike(self.gradInput[1], gater)
  local gaterGrad = self.gradInput[1]:resizeAs(gater)
  if self.table then
    local g = gaterView(self, gater, experts[1]:dim() + 1)
    local expertGrads = (type(self.gradInput[2]) == "table") and self.gradInput[2] or {}
    self.gradInput[2] = expertGrads
    for i, expert in ipairs(experts) do
      expertGrads[i] = nn.utils.typeLike(expertGrads[i], expert)
      expertGrads[i]:resizeAs(expert):cmul(g:select(self.dim, i):expandAs(expert), gradOutput)
      -- d output / d gater_i = expert_i: the gradient is <gradOutput, expert_i> per sample
      local prod = torch.cmul(gradOutput, expert)
      if self.dimG == 1 then
        gaterGrad[i] = prod:sum()
      else
        gaterGrad:select(self.dimG, i):copy(prod:contiguous():view(self.batchSize, -1):sum(2):select(2, 1))
      end
    end
    for i = #experts + 1, #expertGrads do expertGrads[i] = nil end
  else
    local g = gaterView(self, gater, experts:dim())
    self.size2:resize(experts:dim()):copy(experts:size())
    self.size2[self.dim] = 1
    local go = gradOutput:contiguous():view(self.size2):expandAs(experts)
    local prod = torch.cmul(go, experts):transpose(self.dim, self.dimG):contiguous()
    local flat
    if self.dimG == 1 then
      flat = prod:view(gater:size(1), -1)
    else
      flat = prod:view(gater:size(1), gater:size(2), -1)
    end
    gaterGrad:sum(flat, self.dimG + 1)
    gaterGrad:resizeAs(gater)
    self.gradInput[2] = nn.utils.typeLike(self.gradInput[2], experts)
    self.gradInput[2]:resizeAs(experts):cmul(g:expandAs(experts), go)
  end
  return self.gradInput
end

function MixtureTable:type(typeName, tensorCache)
  self._expert = nil
  return parent.type(self, typeName, tensorCache)
end

function MixtureTable:clearState()
  nn.utils.clear(self, "_expert")
  return parent.clearState(self)
end

return MixtureTable
