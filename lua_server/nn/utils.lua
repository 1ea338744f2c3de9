-- Helpers nn's modules share: recursive type conversion and clearing of buffers.
local torch = require "torch"
nn = nn or {}
local utils = {}
nn.utils = utils

-- Convert every tensor inside `param` (tables and modules, recursively) to `type_name`,
-- keeping sharing through tensorCache: a tensor converts once (keyed by the tensor), and
-- tensors over one storage land on one converted storage (keyed by torch.pointer of the
-- storage), at their own offsets and strides, as Torch7 does.
function utils.recursiveType(param, type_name, tensorCache)
  tensorCache = tensorCache or {}
  if type(param) == "table" then
    for k, v in pairs(param) do
      param[k] = utils.recursiveType(v, type_name, tensorCache)
    end
  elseif torch.isTypeOf(param, "nn.Module") or torch.isTypeOf(param, "nn.Criterion") then
    param:type(type_name, tensorCache)
  elseif torch.isTensor(param) then
    if torch.typename(param) ~= type_name then
      local cached = tensorCache[param]
      if cached then return cached end
      local storage = param:storage()
      if not storage then
        cached = param:type(type_name)
      else
        local key = torch.pointer(storage)
        local converted = tensorCache[key]
        if not converted then
          converted = storage:type((type_name:gsub("Tensor", "Storage")))
          tensorCache[key] = converted
        end
        cached = torch.Tensor():type(type_name)
        if param:nElement() > 0 then
          cached:set(converted, param:storageOffset(), param:size(), param:stride())
        end
      end
      tensorCache[param] = cached
      return cached
    end
  end
  return param
end

-- t1 resized like t2, tensor for tensor through nested tables; returns t1, t2
function utils.recursiveResizeAs(t1, t2)
  if type(t2) == "table" and not torch.isTensor(t2) then
    t1 = (type(t1) == "table" and not torch.isTensor(t1)) and t1 or { t1 }
    for key in pairs(t2) do
      t1[key], t2[key] = utils.recursiveResizeAs(t1[key], t2[key])
    end
  elseif torch.isTensor(t2) then
    t1 = torch.isTensor(t1) and t1 or t2.new()
    t1:resizeAs(t2)
  else
    error("expecting nested tensors or tables. Got " .. torch.type(t1) .. " and " ..
      torch.type(t2) .. " instead", 2)
  end
  return t1, t2
end

function utils.recursiveFill(t2, val)
  if type(t2) == "table" and not torch.isTensor(t2) then
    for key in pairs(t2) do t2[key] = utils.recursiveFill(t2[key], val) end
  elseif torch.isTensor(t2) then
    t2:fill(val)
  else
    error("expecting tensor or table thereof. Got " .. torch.type(t2) .. " instead", 2)
  end
  return t2
end

-- t1 += val * t2 through nested tables (val defaults to 1); returns t1, t2
function utils.recursiveAdd(t1, val, t2)
  if not t2 then
    assert(val, "expecting at least two arguments")
    t2, val = val, 1
  end
  val = val or 1
  if type(t2) == "table" and not torch.isTensor(t2) then
    t1 = (type(t1) == "table" and not torch.isTensor(t1)) and t1 or { t1 }
    for key in pairs(t2) do
      t1[key], t2[key] = utils.recursiveAdd(t1[key], val, t2[key])
    end
  elseif torch.isTensor(t1) and torch.isTensor(t2) then
    t1:add(val, t2)
  else
    error("expecting nested tensors or tables. Got " .. torch.type(t1) .. " and " ..
      torch.type(t2) .. " instead", 2)
  end
  return t1, t2
end

-- t1 = t2 (copied, resized) through nested tables; returns t1, t2
function utils.recursiveCopy(t1, t2)
  if type(t2) == "table" and not torch.isTensor(t2) then
    t1 = (type(t1) == "table" and not torch.isTensor(t1)) and t1 or { t1 }
    for key in pairs(t2) do
      t1[key], t2[key] = utils.recursiveCopy(t1[key], t2[key])
    end
  elseif torch.isTensor(t2) then
    t1 = torch.isTensor(t1) and t1 or t2.new()
    t1:resizeAs(t2):copy(t2)
  else
    error("expecting nested tensors or tables. Got " .. torch.type(t1) .. " and " ..
      torch.type(t2) .. " instead", 2)
  end
  return t1, t2
end

-- addSingletonDimension([view,] t [, dim=1]): t viewed with a size-1 dimension inserted at
-- dim (sharing t's storage), in `view` when given
function utils.addSingletonDimension(...)
  local view, t, dim
  if select("#", ...) < 3 then
    t, dim = select(1, ...)
  else
    view, t, dim = select(1, ...)
    assert(torch.isTensor(view), "output tensor expected, got " .. type(view))
  end
  assert(torch.isTensor(t), "input tensor expected")
  dim = dim or 1
  assert(dim > 0 and dim <= t:dim() + 1, "invalid dimension: " .. dim .. ". Tensor is of " ..
    t:dim() .. " dimensions.")
  view = view or t.new()
  local size, stride = torch.LongStorage(t:dim() + 1), torch.LongStorage(t:dim() + 1)
  for d = 1, t:dim() + 1 do
    local from = d < dim and d or d - 1
    if d == dim then
      size[d], stride[d] = 1, 1
    else
      size[d], stride[d] = t:size(from), t:stride(from)
    end
  end
  if t:storage() then
    view:set(t:storage(), t:storageOffset(), size, stride)
  else
    view:resize(size)
  end
  return view
end

-- output (made when nil) viewing input with sizes `...`; a non-contiguous input is copied
-- into output first
function utils.contiguousView(output, input, ...)
  output = output or input.new()
  if input:isContiguous() then
    output:set(input:view(...))
  else
    output:resize(input:size()):copy(input)
    output:set(output:view(...))
  end
  return output
end

-- Empty the named tensor fields (output, gradInput, buffers) without changing their type.
function utils.clear(self, ...)
  local names = { ... }
  if type(names[1]) == "table" then names = names[1] end
  for _, name in ipairs(names) do
    local v = self[name]
    if torch.isTensor(v) then
      v:set()
    elseif type(v) == "table" then
      self[name] = {}
    elseif v ~= nil then
      self[name] = nil
    end
  end
  return self
end

-- target viewed in input's shape for elementwise criterions: Torch7 only needs the element
-- counts to agree
function utils.targetLike(fname, input, target)
  if input:nElement() ~= target:nElement() then
    error(string.format("%s: input and target size mismatch (%s and %s)", fname,
      table.concat(input:size():totable(), "x"), table.concat(target:size():totable(), "x")), 3)
  end
  if not input:isSameSizeAs(target) then return target:contiguous():view(input:size()) end
  return target
end

-- a 0-dim ATen tensor holding v, in t's scalar type: the grad_output that ATen's loss
-- backward kernels take
function utils.scalarLike(t, v)
  local aten = require "aten"
  return aten.call("scalar_tensor", v, require("torch.core").info(t).dtype)
end

-- t if it already has like's tensor type, else a new empty tensor of that type: criterions
-- give their gradient in the input's type even when they were not converted themselves
function utils.typeLike(t, like)
  if torch.isTensor(t) and torch.typename(t) == torch.typename(like) then return t end
  return like.new()
end

-- Error out early and clearly when an input's type differs from the module's tensors.
function utils.checkType(module, input, reference)
  if torch.isTensor(input) and reference and torch.isTensor(reference)
      and torch.typename(input) ~= torch.typename(reference) then
    error(string.format("%s: input is a %s but the module holds %s; convert one of them " ..
      "(module:type('%s') or input:type('%s'))", torch.typename(module), torch.typename(input),
      torch.typename(reference), torch.typename(input), torch.typename(reference)), 3)
  end
end

return utils
