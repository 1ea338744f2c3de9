-- The ATen convolution behind nn.SpatialConvolution and its volumetric, transposed ("full")
-- and depthwise kin: one `convolution` forward and one `convolution_backward` for whichever
-- gradients are wanted. A class installs these with its own prepare(self, input), which
-- checks the input and returns the input tensor and the kernel's arguments:
--   { dims, weight (a handle), weight_is_new (free it after), bias (a handle or nil),
--     stride, padding, dilation, transposed, output_padding, groups, keep (tensors the
--     handles belong to, held until the call is done) }
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"
local G = require "nn.geometry"

local call = aten.call
local format = string.format
local error, type, ipairs, unpack, concat = error, type, ipairs, unpack, table.concat

local Conv = {}

-- the input's type, its dimensions (dims, or dims - 1 for one sample) and its plane count
-- (`label` comes before the message: Torch7 said "size mismatch: " for some layers); errors
-- blame the function `level` frames up, the caller being 1. Returns input:dim().
function Conv.check_planes(self, input, dims, level, label)
  nn.utils.checkType(self, input, self.weight)
  local d = K.check_dims(self, input, dims, level + 1)
  local planes = input:size(d - dims + 2)
  if planes ~= self.nInputPlane then
    error(format("%s: %sinput has %d planes (size %s), expected %d", torch.type(self), label or "", planes,
      concat(input:size():totable(), "x"), self.nInputPlane), level + 1)
  end
  return d
end

-- the weight as a handle of `sizes`: weights kept in a legacy 2-D layout
-- (nOutputPlane×(nInputPlane·k...)) are reshaped into a new handle
function Conv.weight(self, sizes)
  local w = self.weight
  if w:dim() == #sizes then return w._h, false end
  return call("reshape", w._h, sizes), true
end

-- the input of a transposed convolution, which may be {input, target}, and its output
-- padding: the fields' adj..., or what makes the output the target's size
function Conv.target_adj(self, input, axes)
  if type(input) ~= "table" then return input, G.aten(self, "adj", axes) end
  local target = input[2]
  local first = target:dim() - #axes.aten
  local adj = {}
  for i, axis in ipairs(axes.aten) do
    adj[i] = (target:size(first + i) + 2 * self["pad" .. axis] - self["k" .. axis]) % self["d" .. axis]
  end
  return input[1], adj
end

-- the transposed convolutions' prepare, called from theirs: the input (maybe {input, target})
-- and the call
function Conv.prepare_transposed(self, input, axes)
  local x, adj = Conv.target_adj(self, input, axes)
  local dims = #axes.aten + 2
  Conv.check_planes(self, x, dims, 4)
  local dilation = {}
  for i = 1, #axes.aten do dilation[i] = 1 end
  return x, { dims = dims, weight = self.weight._h, bias = self.bias and self.bias._h,
    stride = G.aten(self, "d", axes), padding = G.aten(self, "pad", axes), dilation = dilation,
    transposed = true, output_padding = adj, groups = 1 }
end

local function forward(self, input, c)
  local x, unbatched = K.batched(input, c.dims)
  local h = call("convolution", x, c.weight, c.bias, c.stride, c.padding, c.dilation, c.transposed,
    c.output_padding, c.groups)
  K.release(x, unbatched)
  K.release(c.weight, c.weight_is_new)
  K.take(self.output, h, unbatched)
  return self.output
end

-- the gradient handles (nil where not wanted) and whether the input was one sample
local function backward(self, input, gradOutput, c, wantInput, wantParams)
  local x, unbatched = K.batched(input, c.dims)
  local go, gunbatched = K.batched(gradOutput, c.dims)
  local wantBias = wantParams and self.bias ~= nil
  local gi, gw, gb = call("convolution_backward", go, x, c.weight, wantBias and { self.nOutputPlane } or nil,
    c.stride, c.padding, c.dilation, c.transposed, c.output_padding, c.groups, { wantInput, wantParams, wantBias })
  K.release(x, unbatched)
  K.release(go, gunbatched)
  K.release(c.weight, c.weight_is_new)
  if not wantInput then K.free(gi); gi = nil end
  if not wantParams then K.free(gw); gw = nil end
  if not wantBias then K.free(gb); gb = nil end
  return gi, gw, gb, unbatched
end

-- gradInput takes its result over; the parameters' gradients accumulate, scaled
function Conv.store(self, input, gi, gw, gb, unbatched, scale)
  if gi then K.take(self.gradInput, gi, unbatched) end
  if gw then K.accumulate(self.gradWeight, gw, scale) end
  if gb then K.accumulate(self.gradBias, gb, scale) end
end

-- Conv.store for a transposed convolution: given {input, target}, the gradInput is
-- {gradient, zeros of the target's shape}, as the target only gives a size
function Conv.store_transposed(self, input, gi, gw, gb, unbatched, scale)
  if gi then
    local x = type(input) == "table" and input[1] or input
    if type(self.gradInput) == "table" then self.gradInput = self.gradInput[1] or x.new() end
    K.take(self.gradInput, gi, unbatched)
    if type(input) == "table" then
      self.zeroScalar = self.zeroScalar or input[2].new(1):zero()
      self.ones:resize(input[2]:dim()):fill(1)
      local zero = self.zeroScalar:view(unpack(self.ones:totable())):expandAs(input[2])
      self.gradInput = { self.gradInput, zero }
    end
  end
  Conv.store(self, input, nil, gw, gb, unbatched, scale)
end

-- updateOutput, updateGradInput, accGradParameters and backward from prepare; `store`
-- (Conv.store by default) puts the gradients where the class keeps them
function Conv.install(class, prepare, store)
  store = store or Conv.store
  function class:updateOutput(input)
    local x, c = prepare(self, input)
    return forward(self, x, c)
  end

  K.install_backward(class, function(self, input, gradOutput, scale, wantInput, wantParams)
    local x, c = prepare(self, input)
    local gi, gw, gb, unbatched = backward(self, x, gradOutput, c, wantInput, wantParams)
    store(self, input, gi, gw, gb, unbatched, scale)
  end)
end

-- Torch7's __tostring__ begins "nn.X(nIn -> nOut, kWxkH[, dW,dH][, padW,padH]"
function Conv.describe(self, axes, nOutput)
  return format("%s(%d -> %d, %s%s", torch.type(self), self.nInputPlane, nOutput, G.sizes(self, "k", axes),
    G.steps(self, axes))
end

-- ... and ends so
function Conv.closing(self)
  return self.bias and ")" or ") without bias"
end

return Conv
