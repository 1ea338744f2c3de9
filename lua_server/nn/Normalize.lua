-- nn.Normalize(p [, eps=1e-10]): each row of a 1-D or 2-D input divided by its p-norm,
-- taken as (sum |x|^p + eps)^(1/p), or max |x| + eps for p = math.huge.
local torch = require "torch"
local Normalize, parent = torch.class("nn.Normalize", "nn.Module")

function Normalize:__init(p, eps)
  parent.__init(self)
  assert(p, "p-norm not provided")
  assert(p > 0, p .. "-norm not supported")
  self.p = p
  self.eps = eps or 1e-10
end

local function rows(input)
  assert(input:dim() <= 2, "only 1d layer supported")
  if input:dim() == 1 then return input:view(1, -1) end
  return input
end

function Normalize:updateOutput(input)
  local x = rows(input)
  self.norm = self.norm or x.new()
  self.buffer = self.buffer or x.new()
  self.buffer:resizeAs(x):copy(x):abs()
  if self.p == math.huge then
    local values, indices = self.buffer:max(2)
    self._indices = indices
    self.norm:resizeAs(values):copy(values):add(self.eps)
  else
    self.normp = self.normp or x.new()
    self.buffer:pow(self.p)
    self.normp:resize(x:size(1), 1):copy(self.buffer:sum(2)):add(self.eps)
    self.norm:resizeAs(self.normp):copy(self.normp):pow(1 / self.p)
  end
  self.output:resizeAs(x):copy(x):cdiv(self.norm:expandAs(x))
  self.output = self.output:viewAs(input)
  return self.output
end

-- d(x_i/N)/dx_j = delta_ij/N - x_i dN/dx_j / N^2, with
-- dN/dx_j = N/S |x_j|^(p-1) sign(x_j) (S = N^p) or, for p = inf, sign(x_k) at the argmax k
function Normalize:updateGradInput(input, gradOutput)
  local x = rows(input)
  local g = gradOutput:contiguous():view(x:size(1), x:size(2))
  local n, d = x:size(1), x:size(2)
  local dot = x:clone():cmul(g):sum(2)  -- n x 1: sum_i g_i x_i
  self.cross = self.cross or x.new()
  if self.p == math.huge then
    self.cross:resizeAs(x):zero()
    local xk = x:gather(2, self._indices):sign()  -- sign at the argmax
    self.cross:scatter(2, self._indices, xk:cmul(dot):cdiv(self.norm):cdiv(self.norm))
  else
    self.cross:resizeAs(x):copy(x):abs():pow(self.p - 1):cmul(x:clone():sign())
    local coef = dot:cdiv(self.norm):cdiv(self.normp)  -- sum g x / (N S)
    self.cross:cmul(coef:expand(n, d))
  end
  self.gradInput:resizeAs(x):copy(g):cdiv(self.norm:expand(n, d)):add(-1, self.cross)
  self.gradInput = self.gradInput:viewAs(input)
  return self.gradInput
end

function Normalize:__tostring__()
  local s = (self.p % 1 == 0) and "%s(%d)" or "%s(%f)"
  return string.format(s, torch.type(self), self.p)
end

function Normalize:type(type, tensorCache)
  self._indices = nil
  return parent.type(self, type, tensorCache)
end

function Normalize:clearState()
  nn.utils.clear(self, { "_output", "_indices", "_gradInput", "buffer", "norm", "normp", "cross" })
  return parent.clearState(self)
end

return Normalize
