-- nn.PReLU([nOutputPlane=0]): x for x > 0, w * x otherwise, with a learnable slope per
-- channel (dimension 1 of 1-D input, dimension 2 otherwise) or one shared slope (0).
local torch = require "torch"
local PReLU, parent = torch.class("nn.PReLU", "nn.Module")

function PReLU:__init(nOutputPlane)
  parent.__init(self)
  self.nOutputPlane = nOutputPlane or 0
  self.weight = torch.Tensor(nOutputPlane or 1):fill(0.25)
  self.gradWeight = torch.Tensor(nOutputPlane or 1)
end

-- the slopes expanded to the input's shape
local function slopes(self, input)
  local cdim = input:dim() > 1 and 2 or 1
  if self.nOutputPlane == 0 then cdim = 0 end
  if cdim > 0 and input:size(cdim) ~= self.nOutputPlane then
    error(string.format("Wrong number of input planes. Expected %d but got %d.", self.nOutputPlane,
      input:size(cdim)), 3)
  end
  local shape = {}
  for d = 1, input:dim() do shape[d] = d == cdim and self.nOutputPlane or 1 end
  if #shape == 0 then shape[1] = 1 end
  return self.weight:view(torch.LongStorage(shape)):expandAs(input)
end

function PReLU:updateOutput(input)
  self._mask = self._mask or input.new()
  self._mask:resizeAs(input):copy(input:le(0))  -- 1 where the slope applies
  self.output:resizeAs(input):copy(slopes(self, input)):add(-1):cmul(self._mask):add(1):cmul(input)
  return self.output
end

function PReLU:updateGradInput(input, gradOutput)
  self._mask = self._mask or input.new()
  self._mask:resizeAs(input):copy(input:le(0))
  self.gradInput:resizeAs(input):copy(slopes(self, input)):add(-1):cmul(self._mask):add(1):cmul(gradOutput)
  return self.gradInput
end

function PReLU:accGradParameters(input, gradOutput, scale)
  scale = scale or 1
  local t = input:clone():cmul(gradOutput):cmul(input:le(0):typeAs(input))
  if self.nOutputPlane == 0 then
    self.gradWeight[1] = self.gradWeight[1] + scale * t:sum()
  else
    if input:dim() > 1 then t = t:transpose(1, 2) end  -- channels first
    t = t:contiguous():view(self.nOutputPlane, -1):sum(2):view(-1)
    self.gradWeight:add(scale, t)
  end
end

function PReLU:clearState()
  nn.utils.clear(self, "_mask")
  return parent.clearState(self)
end

return PReLU
