-- The shared body of nn.SpatialFractionalMaxPooling and nn.VolumetricFractionalMaxPooling
-- (Graham, "Fractional Max-Pooling"): pseudo-random pooling windows whose starts come from
-- randomSamples (batch × plane × one sample per pooled dimension, U(0, 1) from Torch7's
-- generator, drawn at the start of every forward unless fixPoolingRegions()). dims names the
-- pooled dimensions in Torch7's argument order ({"W", "H"} or {"T", "W", "H"}); ATen's
-- kernel takes sizes outermost first and reads THNN's sample j as its sample_order[j].
-- indices are 1-based positions within each input plane or volume, as Torch7's.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local floor, format = math.floor, string.format

return function(class, parent, dims, aten_kernel, sample_order)
  local n = #dims
  local ndim = n + 2  -- batched input dimensions

  function class:__init(...)
    parent.__init(self)
    local args = { ... }
    for i, d in ipairs(dims) do
      self["poolSize" .. d] = args[i]
      assert(args[i] >= 2, "poolSize" .. d .. " must be >= 2")
    end
    if args[n + 1] >= 1 then
      for i, d in ipairs(dims) do self["out" .. d] = args[n + i] end
    else
      for i, d in ipairs(dims) do
        local ratio = args[n + i]
        assert(ratio > 0 and ratio < 1, "ratio" .. d .. " must be between 0 and 1")
        self["ratio" .. d] = ratio
      end
    end
    self.newRandomPool = false
  end

  -- the pooled input dimension for each of dims, in input order (…, T, H, W)
  local function input_dim(input, d)
    local last = input:dim()
    if d == "W" then return last elseif d == "H" then return last - 1 end
    return last - 2
  end

  function class:getBufferSize_(input)
    if input:dim() == ndim - 1 then return torch.LongStorage({ 1, input:size(1), n }) end
    if input:dim() == ndim then return torch.LongStorage({ input:size(1), input:size(2), n }) end
    error(format("%s: input must be dim %d or %d", torch.type(self), ndim - 1, ndim), 3)
  end

  function class:initSampleBuffer_(input)
    local size = self:getBufferSize_(input)
    if self.randomSamples == nil then
      self.randomSamples = input.new():resize(size):uniform()
    elseif self.randomSamples:size(1) ~= size[1] or self.randomSamples:size(2) ~= size[2] then
      self.randomSamples:resize(size):uniform()
    elseif not self.newRandomPool then
      -- a later call: new pooling regions
      self.randomSamples:uniform()
    end
  end

  -- output sizes in dims order
  function class:getOutputSizes_(input)
    local out = {}
    for i, d in ipairs(dims) do
      if self["ratio" .. d] then
        out[i] = floor(input:size(input_dim(input, d)) * self["ratio" .. d])
        assert(out[i] > 0, "reduction ratio or input size too small")
      else
        out[i] = self["out" .. d]
      end
    end
    return unpack(out)
  end

  local outermost_first = { T = 1, H = 2, W = 3 }

  -- pool kernel and output size, outermost dimension first, for ATen
  local function aten_args(self, input)
    local out = { self:getOutputSizes_(input) }
    local order = {}
    for i = 1, n do order[i] = i end
    table.sort(order, function(a, b) return outermost_first[dims[a]] < outermost_first[dims[b]] end)
    local kernel, size = {}, {}
    for j, i in ipairs(order) do
      kernel[j] = self["poolSize" .. dims[i]]
      size[j] = out[i]
    end
    return kernel, size
  end

  local function check(self, input, level)
    nn.utils.checkType(self, input, self.output)
    K.check_dims(self, input, ndim, level + 1)
  end

  function class:updateOutput(input)
    check(self, input, 2)
    if not self.indices or torch.type(self.indices) ~= "torch.LongTensor" then self.indices = torch.LongTensor() end
    self:initSampleBuffer_(input)
    local kernel, size = aten_args(self, input)
    local samples = self.randomSamples:index(3, torch.LongTensor(sample_order))
    local out, ind = call(aten_kernel, input._h, kernel, size, samples._h)
    call("add_.Scalar", ind, 1)
    K.take(self.output, out)
    K.take(self.indices, ind)
    return self.output
  end

  function class:updateGradInput(input, gradOutput)
    assert(self.randomSamples ~= nil, "must call updateOutput/forward first")
    check(self, input, 2)
    local kernel, size = aten_args(self, input)
    local ind0 = call("sub.Scalar", self.indices._h, 1, 1)
    local h = call(aten_kernel .. "_backward", gradOutput._h, input._h, kernel, size, ind0)
    K.free(ind0)
    K.take(self.gradInput, h)
    return self.gradInput
  end

  -- keep the current pooling regions for later forwards (val = false draws new ones again)
  function class:fixPoolingRegions(val)
    if val == nil then val = true end
    self.newRandomPool = val
    return self
  end

  function class:empty()
    self:clearState()
  end

  function class:clearState()
    self.indices = nil
    self.randomSamples = nil
    return parent.clearState(self)
  end

  -- Torch7 prints the output size (a ratio through %d) then the pool size, each in dims order
  function class:__tostring__()
    local out, pool = {}, {}
    for i, d in ipairs(dims) do
      out[i] = format("%d", self["out" .. d] or self["ratio" .. d])
      pool[i] = format("%d", self["poolSize" .. d])
    end
    return format("%s(%s, %s)", torch.type(self), table.concat(out, "x"), table.concat(pool, ","))
  end
end
