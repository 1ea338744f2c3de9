-- The shared body of nn.SpatialConvolutionMap and nn.SpatialFullConvolutionMap: a (full)
-- convolution in which output plane connTable[k][2] sees input plane connTable[k][1] through
-- kernel weight[k] only. The kernels are scattered into a dense nOut×nIn (or nIn×nOut)
-- weight, so one ATen convolution does the work; weight gradients are gathered back per
-- connection.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local sqrt, format = math.sqrt, string.format
local NO_DILATION = { 1, 1 }

return function(class, parent, transposed)
  function class:__init(conMatrix, kW, kH, dW, dH)
    parent.__init(self)
    self.kW = kW
    self.kH = kH
    self.dW = dW or 1
    self.dH = dH or 1
    self.connTable = conMatrix
    self.nInputPlane = self.connTable:select(2, 1):max()
    self.nOutputPlane = self.connTable:select(2, 2):max()
    self.weight = torch.Tensor(self.connTable:size(1), kH, kW)
    self.bias = torch.Tensor(self.nOutputPlane)
    self.gradWeight = torch.Tensor(self.connTable:size(1), kH, kW)
    self.gradBias = torch.Tensor(self.nOutputPlane)
    self:reset()
  end

  -- without stdv each kernel and bias is U(−1/sqrt(kW·kH·fanIn), ...), fanIn the number of
  -- connections into its output plane; drawn kernel by kernel, then the biases
  function class:reset(stdv)
    if stdv then
      stdv = stdv * sqrt(3)
      self.weight:uniform(-stdv, stdv)
      self.bias:uniform(-stdv, stdv)
      return
    end
    local fanIn = {}
    for k = 1, self.connTable:size(1) do
      local o = self.connTable[k][2]
      fanIn[o] = (fanIn[o] or 0) + 1
    end
    for k = 1, self.connTable:size(1) do
      stdv = 1 / sqrt(self.kW * self.kH * fanIn[self.connTable[k][2]])
      self.weight[k]:uniform(-stdv, stdv)
    end
    for o = 1, self.bias:size(1) do
      stdv = 1 / sqrt(self.kW * self.kH * (fanIn[o] or 0))
      self.bias[o] = torch.uniform(-stdv, stdv)
    end
  end

  -- row of each connection in the dense weight viewed as (planes·planes)×(kH·kW): output-major
  -- for the convolution (nOut×nIn), input-major for the full convolution (nIn×nOut); cached
  -- per module and connection table (outside the module, so nothing extra is saved or converted)
  local row_cache = setmetatable({}, { __mode = "k" })
  local function rows(self)
    local cache = row_cache[self]
    if cache and cache.table == self.connTable then return cache.rows end
    local n = self.connTable:size(1)
    local r = torch.LongTensor(n)
    for k = 1, n do
      local from, to = self.connTable[k][1], self.connTable[k][2]
      if transposed then
        r[k] = (from - 1) * self.nOutputPlane + to
      else
        r[k] = (to - 1) * self.nInputPlane + from
      end
    end
    row_cache[self] = { table = self.connTable, rows = r }
    return r
  end

  local function dense(self)
    local planes = self.nInputPlane * self.nOutputPlane
    local w = self.weight.new(planes, self.kH * self.kW):zero()
    w:indexAdd(1, rows(self), self.weight:view(self.connTable:size(1), self.kH * self.kW))
    if transposed then return w:view(self.nInputPlane, self.nOutputPlane, self.kH, self.kW) end
    return w:view(self.nOutputPlane, self.nInputPlane, self.kH, self.kW)
  end

  -- the input's planes the table connects, and the dimension of planes. As in Torch7, an
  -- input may have more planes than the largest one the table names (a random table can
  -- leave the last ones out): those take no part, and their gradient is zero.
  local function connected_planes(self, input)
    nn.utils.checkType(self, input, self.weight)
    local d = K.check_dims(self, input, 4, 3) - 2
    if input:size(d) < self.nInputPlane then
      error(format("%s: size mismatch: input has %d planes (size %s), the connection table needs %d",
        torch.type(self), input:size(d), table.concat(input:size():totable(), "x"), self.nInputPlane), 3)
    end
    if input:size(d) == self.nInputPlane then return input, d end
    return input:narrow(d, 1, self.nInputPlane), d
  end

  function class:updateOutput(input)
    local x, unbatched = K.batched((connected_planes(self, input)), 4)
    local h = call("convolution", x, dense(self)._h, self.bias._h, { self.dH, self.dW }, { 0, 0 },
      NO_DILATION, transposed, { 0, 0 }, 1)
    K.release(x, unbatched)
    K.take(self.output, h, unbatched)
    return self.output
  end

  local function backward(self, input, gradOutput, scale, wantInput, wantParams)
    local used, plane_dim = connected_planes(self, input)
    local x, unbatched = K.batched(used, 4)
    local go, gunbatched = K.batched(gradOutput, 4)
    local gi, gw, gb = call("convolution_backward", go, x, dense(self)._h, { self.nOutputPlane },
      { self.dH, self.dW }, { 0, 0 }, NO_DILATION, transposed, { 0, 0 }, 1, { wantInput, wantParams, wantParams })
    K.release(x, unbatched)
    K.release(go, gunbatched)
    if wantInput and used == input then
      K.take(self.gradInput, gi, unbatched)
    elseif wantInput then
      local part = input.new()
      K.take(part, gi, unbatched)
      self.gradInput:resizeAs(input):zero():narrow(plane_dim, 1, self.nInputPlane):copy(part)
    else
      K.free(gi)
    end
    if wantParams then
      local g = self.weight.new()
      K.take(g, gw)
      local per_connection = g:view(self.nInputPlane * self.nOutputPlane, self.kH * self.kW):index(1, rows(self))
      self.gradWeight:add(scale, per_connection:viewAs(self.gradWeight))
      K.accumulate(self.gradBias, gb, scale)
    else
      K.free(gw, gb)
    end
  end

  K.install_backward(class, backward)

  function class:decayParameters(decay)
    self.weight:add(-decay, self.weight)
    self.bias:add(-decay, self.bias)
  end
end
