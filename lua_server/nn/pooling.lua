-- What nn's max and average poolings (spatial and volumetric, and their dilated subclasses)
-- share: the ceil/floor rounding switch, the padding-count switch, the indices buffer, the
-- max-pooling ATen calls with Torch7's 1-based indices, the average pooling's ATen
-- arguments, and Torch7's __tostring__.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local G = require "nn.geometry"

local call, run = aten.call, aten.run
local format = string.format

local Pool = {}

-- :ceil() / :floor() pick how the output size rounds
function Pool.install_rounding(class)
  function class:ceil()
    self.ceil_mode = true
    return self
  end

  function class:floor()
    self.ceil_mode = false
    return self
  end
end

-- whether an average's divisor counts the padding (the default) or only the input's pixels
function Pool.install_count_pad(class)
  function class:setCountIncludePad()
    self.count_include_pad = true
    return self
  end

  function class:setCountExcludePad()
    self.count_include_pad = false
    return self
  end
end

-- empty (the old name) and clearState also drop the indices
function Pool.install_indices(class, parent)
  function class:empty()
    self:clearState()
  end

  function class:clearState()
    if self.indices then self.indices:set() end
    return parent.clearState(self)
  end
end

-- a max pooling's input checks (errors blame `level` frames up, the caller being 1) and
-- the fields models saved by older nn lack; returns input:dim()
function Pool.prepare_max(self, input, axes, level)
  nn.utils.checkType(self, input, self.output)
  local d = K.check_dims(self, input, #axes.aten + 2, level + 1)
  for _, axis in ipairs(axes.aten) do self["pad" .. axis] = self["pad" .. axis] or 0 end
  if not self.indices or torch.type(self.indices) ~= "torch.LongTensor" then
    self.indices = torch.LongTensor()
  end
  return d
end

-- kernel size, stride, padding and dilation in ATen's order
local function window(self, axes)
  return G.aten(self, "k", axes), G.aten(self, "d", axes), G.aten(self, "pad", axes),
    G.aten(self, "dilation", axes, 1)
end

-- op (max_pool2d_with_indices, ...) into output, and indices as Torch7's 1-based positions
function Pool.max_forward(self, input, op, axes)
  local k, s, p, dil = window(self, axes)
  local out, ind = call(op, input._h, k, s, p, dil, self.ceil_mode)
  run("add_.Scalar", ind, 1)
  K.take(self.output, out)
  K.take(self.indices, ind)
  return self.output
end

-- op (max_pool2d_with_indices_backward, ...) into gradInput, from the forward's indices
function Pool.max_backward(self, input, gradOutput, op, axes)
  local k, s, p, dil = window(self, axes)
  local ind0 = call("sub.Scalar", self.indices._h, 1, 1)
  local h = call(op, gradOutput._h, input._h, k, s, p, dil, self.ceil_mode, ind0)
  K.free(ind0)
  K.take(self.gradInput, h)
  return self.gradInput
end

-- an average pooling's ATen arguments after the input: kernel size, stride, padding (in
-- ATen's order), ceil mode, whether padding counts, no divisor override
function Pool.average_args(self, axes)
  return G.aten(self, "k", axes), G.aten(self, "d", axes), G.aten(self, "pad", axes), self.ceil_mode,
    self.count_include_pad, nil
end

-- Torch7's "nn.X(kWxkH, dW,dH[, padW,padH]"; the class closes it
function Pool.describe(self, axes)
  return format("%s(%s, %s", torch.type(self), G.sizes(self, "k", axes), G.list(self, "d", axes, "%d")) ..
    G.nonzero(self, "pad", axes)
end

return Pool
