-- Linear (bilinear, trilinear) upsampling with the corners aligned, as THNN computed it:
-- the source coordinate of output index o is ratio·o with ratio = (in − 1)/(out − 1), both
-- in single precision even for Double tensors. ATen keeps them in double, which moves
-- results by ~1e-9, so the interpolation here is one matrix per spatial dimension carrying
-- THNN's weights, applied along that dimension (and its transpose for the gradient).
local ffi = require "ffi"
local torch = require "torch"

local floor = math.floor
local as_float = ffi.new("float[1]")

local function f32(x)
  as_float[0] = x
  return as_float[0]
end

local M = {}

-- out×in interpolation weights for one dimension; they depend on the sizes only, so a
-- few recent ones are kept per tensor type
local cache, cached = {}, 0

local function weights(proto, inSize, outSize)
  local key = torch.type(proto) .. ":" .. inSize .. ":" .. outSize
  if cache[key] then return cache[key] end
  local flat = {}
  for i = 1, outSize * inSize do flat[i] = 0 end
  local ratio = outSize > 1 and f32((inSize - 1) / (outSize - 1)) or 0
  for o = 0, outSize - 1 do
    local src = f32(ratio * o)
    local i0 = floor(src)
    local step = i0 < inSize - 1 and 1 or 0
    local lambda1 = f32(src - i0)
    local row = o * inSize
    flat[row + i0 + 1] = flat[row + i0 + 1] + (1 - lambda1)
    flat[row + i0 + 1 + step] = flat[row + i0 + 1 + step] + lambda1
  end
  local A = proto.new(flat):view(outSize, inSize)
  if cached >= 64 then cache, cached = {}, 0 end
  cache[key], cached = A, cached + 1
  return A
end

-- x with matrix A (rows × x:size(dim)) applied along dimension dim
local function along(x, dim, A)
  local last = x:dim()
  local moved = x:transpose(dim, last):contiguous()
  local n = moved:size(last)
  local flat = moved:view(moved:nElement() / n, n)
  local sizes = moved:size():totable()
  sizes[last] = A:size(1)
  return torch.mm(flat, A:t()):view(unpack(sizes)):transpose(dim, last)
end

-- input N×C×(T×)H×W to the spatial sizes `sizes` (a list, one per spatial dimension)
function M.forward(input, sizes)
  local first = input:dim() - #sizes
  local y = input
  for k, out in ipairs(sizes) do
    y = along(y, first + k, weights(input, input:size(first + k), out))
  end
  return y:contiguous()
end

-- the gradient with respect to an input of size `inSizes` (torch.LongStorage or list)
function M.backward(gradOutput, inSizes)
  local first = gradOutput:dim() - (#inSizes - 2)
  local g = gradOutput
  for k = 1, #inSizes - 2 do
    local d = first + k
    g = along(g, d, weights(gradOutput, inSizes[d], gradOutput:size(d)):t())
  end
  return g:contiguous()
end

return M
