-- nn.Replicate(nf [, dim=1] [, ndim]): a stride-0 view repeating the input nf times along
-- a new dimension dim (dim + 1 for a batched input of more than ndim dimensions).
local torch = require "torch"
local Replicate, parent = torch.class("nn.Replicate", "nn.Module")

function Replicate:__init(nf, dim, ndim)
  parent.__init(self)
  self.nfeatures = nf
  self.dim = dim or 1
  self.ndim = ndim
  assert(self.dim > 0, "Can only replicate across positive integer dimensions.")
end

local function replicated_dim(self, input)
  local batchOffset = (self.ndim and input:dim() > self.ndim) and 1 or 0
  return self.dim + batchOffset
end

function Replicate:updateOutput(input)
  self.dim = self.dim or 1
  assert(self.dim <= input:dim() + 1,
    "Not enough input dimensions to replicate along dimension " .. tostring(self.dim) .. ".")
  local rdim = replicated_dim(self, input)
  local sz, st = torch.LongStorage(input:dim() + 1), torch.LongStorage(input:dim() + 1)
  sz[rdim], st[rdim] = self.nfeatures, 0
  for i = 1, input:dim() do
    local j = i >= rdim and i + 1 or i
    sz[j], st[j] = input:size(i), input:stride(i)
  end
  self.output:set(input:storage(), input:storageOffset(), sz, st)
  return self.output
end

-- the copies' gradients sum back into one
function Replicate:updateGradInput(input, gradOutput)
  local rdim = replicated_dim(self, input)
  local sz = torch.LongStorage(input:dim() + 1)
  sz[rdim] = 1
  for i = 1, input:dim() do sz[i >= rdim and i + 1 or i] = input:size(i) end
  self.gradInput:resizeAs(input)
  self.gradInput:view(sz):copy(gradOutput:sum(rdim))
  return self.gradInput
end

return Replicate
