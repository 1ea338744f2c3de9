-- Helpers nn's modules share: recursive type conversion and clearing of buffers.
local torch = require "torch"
nn = nn or {}
local utils = {}
nn.utils = utils

-- Convert every tensor inside `param` (tables and modules, recursively) to `type_name`,
-- keeping shared tensors shared through tensorCache (keyed by the tensor itself).
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
      local converted = param:type(type_name)
      tensorCache[param] = converted
      return converted
    end
  end
  return param
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
    end
  end
  return self
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
