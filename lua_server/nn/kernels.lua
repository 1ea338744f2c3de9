-- The ATen side of nn's convolution, pooling, normalization and padding layers: the few
-- handle-level moves they all make (Torch7 reached its kernels through nn.THNN; ours are
-- ATen operators called through aten.call, and this file is the glue they share).
-- Results are taken over by the module's own output/gradInput tensors, so those keep their
-- identity (containers hold references to them), and temporaries are freed at once.
local ffi = require "ffi"
local aten = require "aten"
local run = aten.run
local torch = require "torch"
local core = require "torch.core"

local C, call, free = aten.C, aten.call, aten.free
local error, type, select, tonumber = error, type, select, tonumber

local K = {}

local sizes_buf = ffi.new("int64_t[16]")
local strides_buf = ffi.new("int64_t[16]")

-- t becomes a view of the result handle h (its storage, offset, sizes and strides); h is
-- freed. drop_first drops a leading batch dimension of size 1 (unbatched input).
function K.take(t, h, drop_first)
  if C.lt_tensor_dtype(t._h) ~= C.lt_tensor_dtype(h) then
    free(h)
    error("nn: a result of another element type cannot become " .. torch.type(t) ..
      "; convert the module and its input to one type", 2)
  end
  local n = C.lt_tensor_dim(h)
  C.lt_tensor_sizes(h, sizes_buf)
  C.lt_tensor_strides(h, strides_buf)
  local sz, st = sizes_buf, strides_buf
  if drop_first then
    n = n - 1
    sz, st = sizes_buf + 1, strides_buf + 1
  end
  if C.lt_tensor_set_storage(t._h, h, C.lt_tensor_offset(h), sz, st, n) ~= 0 then
    local msg = aten.last_error()
    free(h)
    error(msg, 2)
  end
  free(h)
  return t
end

-- t += scale * h, h read in t's shape (weights may be kept in a 2-D legacy layout); h is freed
function K.accumulate(t, h, scale)
  if C.lt_tensor_defined(h) == 0 then free(h); return end
  local src = h
  local n = C.lt_tensor_dim(t._h)
  local same = n == C.lt_tensor_dim(h)
  if same then
    for d = 0, n - 1 do
      if C.lt_tensor_size(t._h, d) ~= C.lt_tensor_size(h, d) then same = false; break end
    end
  end
  if not same then
    C.lt_tensor_sizes(t._h, sizes_buf)
    local sizes = {}
    for d = 1, n do sizes[d] = tonumber(sizes_buf[d - 1]) end
    src = call("reshape", h, sizes)
  end
  run("add_.Tensor", t._h, src, scale or 1)
  if src ~= h then free(src) end
  free(h)
end

-- a handle of the input with ndim dimensions: a leading batch dimension of 1 is added
-- when the input has one less; returns handle, unbatched (the handle must then be freed)
function K.batched(input, ndim)
  if input:dim() == ndim - 1 then
    return call("unsqueeze", input._h, 0), true
  end
  return input._h, false
end

-- free a handle made by K.batched (a no-op for the caller's own handle)
function K.release(h, unbatched)
  if unbatched then free(h) end
end

-- free any of the handles that came back from ATen and are not wanted
function K.free(...)
  for i = 1, select("#", ...) do
    local h = select(i, ...)
    if type(h) == "cdata" then free(h) end
  end
end

-- input must have ndim dimensions (batched) or one less (a single sample), as THNN asked
function K.check_dims(module, input, ndim, level)
  local d = input:dim()
  if d ~= ndim and d ~= ndim - 1 then
    error(string.format("%s: %dD or %dD (batch mode) tensor expected for input, but got a %dD tensor%s",
      torch.type(module), ndim - 1, ndim, d, d > 0 and (" of size " .. core.size_string(input)) or ""),
      (level or 2) + 1)
  end
  return d
end

-- An unpooling's input: its type, its dimensions, and the indices its pooling module left
-- for an input of the same size (module:setParams() reads them from the pooling)
function K.check_unpool(module, input, ndim, level)
  nn.utils.checkType(module, input, module.output)
  K.check_dims(module, input, ndim, level + 1)
  module:setParams()
  local indices = module.indices
  if not indices or not indices:isSameSizeAs(input) then
    error(string.format("%s: size mismatch: input is %s but the pooling's indices are %s; run the pooling first",
      torch.type(module), core.size_string(input),
      indices and indices:nElement() > 0 and core.size_string(indices) or "empty"),
      level + 1)
  end
end

-- updateGradInput, accGradParameters and backward for a module whose gradients come from
-- one call backward(self, input, gradOutput, scale, wantInput, wantParams): backward
-- computes both in one kernel call, as the convolutions and ATen's backward ops do.
function K.install_backward(class, backward)
  function class:updateGradInput(input, gradOutput)
    if self.gradInput then
      backward(self, input, gradOutput, 1, true, false)
      return self.gradInput
    end
  end

  function class:accGradParameters(input, gradOutput, scale)
    backward(self, input, gradOutput, scale or 1, false, true)
  end

  function class:backward(input, gradOutput, scale)
    backward(self, input, gradOutput, scale or 1, self.gradInput ~= nil, true)
    return self.gradInput
  end
end

-- type and clearState for the convolutions: Torch7 kept unfolding buffers (finput,
-- fgradInput) that type changes empty and clearState drops; models saved by Torch7 hold them.
function K.install_buffers(class, parent)
  function class:type(type_name, tensorCache)
    self.finput = self.finput and torch.Tensor()
    self.fgradInput = self.fgradInput and torch.Tensor()
    return parent.type(self, type_name, tensorCache)
  end

  function class:clearState()
    nn.utils.clear(self, "finput", "fgradInput", "_input", "_gradOutput")
    return parent.clearState(self)
  end
end

return K
