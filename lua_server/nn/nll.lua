-- The weighted negative log-likelihood that nn.ClassNLLCriterion (per sample) and
-- nn.SpatialClassNLLCriterion (per pixel) compute with ATen's nll_loss / nll_loss2d: the
-- constructor's fields, the target range check, and the forward and backward around the
-- kernels (sum reduction; sizeAverage divides by the total weight of the counted targets).
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"

local call, run = aten.call, aten.run
local format = string.format
local error, assert = error, assert

local SUM = 2

local NLL = {}

-- the fields both criterions start with; weights, when given, hold one weight per class
function NLL.init(self, weights, sizeAverage)
  self.sizeAverage = (sizeAverage == nil) and true or sizeAverage
  if weights then
    assert(weights:dim() == 1, "weights input should be 1-D Tensor")
    self.weights = weights
  end
  self.output_tensor = torch.zeros(1)
  self.total_weight_tensor = torch.ones(1)
  self.target = torch.zeros(1):long()
end

-- #criterion: the number of class weights
function NLL.install_len(class)
  function class:__len()
    return self.weights and self.weights:nElement() or 0
  end
end

-- every target in [1, nClasses] or equal to ignoreIndex, else an error naming the first
-- one out of range; it blames the criterion's caller (three frames up)
function NLL.check_targets(name, target, nClasses, ignoreIndex)
  if target:nElement() == 0 then return end
  local lo, hi = target:min(), target:max()
  if lo >= 1 and hi <= nClasses then return end
  local flat = target:contiguous():view(-1)
  for i = 1, flat:nElement() do
    local t = flat[i]
    if t ~= ignoreIndex and (t < 1 or t > nClasses) then
      error(format("%s: target %d is out of range [1, %d]", name, t, nClasses), 4)
    end
  end
end

-- the weights in input's type, or nil
function NLL.weights(self, input)
  local w = self.weights
  if w and torch.type(w) ~= torch.type(input) then w = w:typeAs(input) end
  return w
end

-- op (nll_loss_forward, ...) on the input x as the kernel wants it, the 0-based target
-- handle t and the weights w (NLL.weights); returns (loss, total weight) and keeps both in
-- the buffers Torch7 had
function NLL.forward(self, input, op, x, t, w, ignoreIndex)
  local out, total = call(op, x._h, t, w and w._h, SUM, ignoreIndex - 1)
  local loss, totalWeight = call("item", out), call("item", total)
  if self.sizeAverage and totalWeight ~= 0 then loss = loss / totalWeight end
  self.output_tensor = self.output_tensor:typeAs(input)
  self.output_tensor[1] = loss
  self.total_weight_tensor = self.total_weight_tensor:typeAs(input)
  self.total_weight_tensor[1] = totalWeight
  self.output = loss
  return self.output, totalWeight
end

-- op (nll_loss_backward, ...) into gradInput, scaled by the last forward's total weight
function NLL.backward(self, input, op, x, t, w, ignoreIndex)
  local totalWeight = self.total_weight_tensor[1]
  local scale = (self.sizeAverage and totalWeight ~= 0) and 1 / totalWeight or 1
  local g = call(op, nn.utils.scalarLike(input, scale), x._h, t, w and w._h, SUM, ignoreIndex - 1,
    nn.utils.scalarLike(input, totalWeight))
  self.gradInput:resizeAs(input)
  run("copy_", self.gradInput._h, call("view", g, core.sizes(input)), false)
  return self.gradInput
end

return NLL
