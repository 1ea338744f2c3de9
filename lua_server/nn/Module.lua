-- nn.Module: the base of every layer. forward/backward live here only; layers implement
-- updateOutput, updateGradInput and accGradParameters. Field names are Torch7's
-- (output, gradInput, weight, gradWeight, bias, gradBias, train, _type): .t7 files rely on them.
local torch = require "torch"
local type, ipairs, select, assert, tostring = type, ipairs, select, assert, tostring
local Module = torch.class("nn.Module")

function Module:__init()
  self.gradInput = torch.Tensor()
  self.output = torch.Tensor()
  self._type = self.output:type()
end

function Module:parameters()
  if self.weight and self.bias then
    return { self.weight, self.bias }, { self.gradWeight, self.gradBias }
  elseif self.weight then
    return { self.weight }, { self.gradWeight }
  elseif self.bias then
    return { self.bias }, { self.gradBias }
  end
end

function Module:updateOutput(input)
  return self.output
end

function Module:forward(input)
  return self:updateOutput(input)
end

function Module:backward(input, gradOutput, scale)
  scale = scale or 1
  self:updateGradInput(input, gradOutput)
  self:accGradParameters(input, gradOutput, scale)
  return self.gradInput
end

function Module:backwardUpdate(input, gradOutput, lr)
  self:updateGradInput(input, gradOutput)
  self:accUpdateGradParameters(input, gradOutput, lr)
  return self.gradInput
end

function Module:updateGradInput(input, gradOutput)
  return self.gradInput
end

function Module:accGradParameters(input, gradOutput, scale)
end

-- a module flagged `shared` (as Torch7 reads that field) updates as share() makes it
function Module:accUpdateGradParameters(input, gradOutput, lr)
  if self.shared then
    self:sharedAccUpdateGradParameters(input, gradOutput, lr)
  else
    self:defaultAccUpdateGradParameters(input, gradOutput, lr)
  end
end

-- w -= lr * dE/dw computed in place, by pointing the gradients at the weights
function Module:defaultAccUpdateGradParameters(input, gradOutput, lr)
  local gradWeight, gradBias = self.gradWeight, self.gradBias
  self.gradWeight, self.gradBias = self.weight, self.bias
  self:accGradParameters(input, gradOutput, -lr)
  self.gradWeight, self.gradBias = gradWeight, gradBias
end

function Module:sharedAccUpdateGradParameters(input, gradOutput, lr)
  if self:parameters() then
    self:zeroGradParameters()
    self:accGradParameters(input, gradOutput, 1)
    self:updateParameters(lr)
  end
end

function Module:zeroGradParameters()
  local _, gradParams = self:parameters()
  if gradParams then
    for i = 1, #gradParams do gradParams[i]:zero() end
  end
end

function Module:updateParameters(learningRate)
  local params, gradParams = self:parameters()
  if params then
    for i = 1, #params do params[i]:add(-learningRate, gradParams[i]) end
  end
end

function Module:training() self.train = true end
function Module:evaluate() self.train = false end

function Module:reset() end

function Module:type(type_name, tensorCache)
  if not type_name then return self._type end
  tensorCache = tensorCache or {}
  for key, param in pairs(self) do
    self[key] = nn.utils.recursiveType(param, type_name, tensorCache)
  end
  self._type = type_name
  return self
end

function Module:float(...) return self:type("torch.FloatTensor", ...) end
function Module:double(...) return self:type("torch.DoubleTensor", ...) end
function Module:cuda(...) return self:type("torch.CudaTensor", ...) end

function Module:clearState()
  return nn.utils.clear(self, "output", "gradInput")
end

function Module:apply(callback)
  callback(self)
  if self.modules then
    for _, module in ipairs(self.modules) do module:apply(callback) end
  end
end

-- share(mlp, 'weight', 'bias', ...): point the named tensors at mlp's. Shared modules then
-- update through sharedAccUpdateGradParameters (accUpdateGradParameters would apply the
-- update twice to the one storage).
function Module:share(mlp, ...)
  for _, name in ipairs({ ... }) do
    if self[name] ~= nil then
      self[name]:set(mlp[name])
      self.accUpdateGradParameters = self.sharedAccUpdateGradParameters
      mlp.accUpdateGradParameters = mlp.sharedAccUpdateGradParameters
    end
  end
  return self
end

-- A deep copy made by serializing through a MemoryFile (so sharing inside the module is
-- kept); clone('weight', 'bias') then shares the named fields with the original.
function Module:clone(...)
  local f = torch.MemoryFile("rw"):binary()
  f:writeObject(self)
  f:seek(1)
  local clone = f:readObject()
  f:close()
  if select("#", ...) > 0 then clone:share(self, ...) end
  return clone
end

-- true when the tensor's elements fill one gap-free region of its storage: strides sorted
-- descending, zero strides dropped, each stride must be the span of the ones after it
local function isCompact(tensor)
  local dims = {}
  for d = 1, tensor:dim() do
    local st, sz = tensor:stride(d), tensor:size(d)
    if st > 0 and sz > 1 then dims[#dims + 1] = { st, sz } end
  end
  table.sort(dims, function(a, b) return a[1] > b[1] end)
  local expected = 1
  for i = #dims, 1, -1 do
    if dims[i][1] ~= expected then return false end
    expected = expected * dims[i][2]
  end
  return true
end

-- Torch7's Module.flatten: copy every parameter into one new storage and re-point each
-- tensor into it, keeping tensors that shared a storage sharing (same offsets, strides).
-- Elements no parameter uses ("holes") are squeezed out when every tensor is compact.
function Module.flatten(parameters)
  if not parameters or #parameters == 0 then return torch.Tensor() end
  local Tensor = parameters[1].new

  -- 1. the distinct storages, each given a base offset in the flat storage
  local storages, order, nParameters, meta = {}, {}, 0, {}
  for k = 1, #parameters do
    local param = parameters[k]
    local storage = param:storage()
    local key = torch.pointer(storage)
    if not storages[key] then
      storages[key] = { storage, nParameters }
      order[#order + 1] = key
      nParameters = nParameters + storage:size()
    end
    meta[k] = { offset = param:storageOffset() + storages[key][2], size = param:size(),
      stride = param:stride() }
  end

  -- 2./3. mark the elements some parameter uses; check each parameter is compact
  local flat = Tensor(nParameters):zero()
  local compact = true
  for k = 1, #parameters do
    local m = meta[k]
    local tmp = Tensor():set(flat:storage(), m.offset, m.size, m.stride)
    tmp:fill(1)
    compact = compact and isCompact(tmp)
  end
  local mask = flat:byte()
  local compactOffsets = flat:long():cumsum(1)
  local nUsed = nParameters > 0 and compactOffsets[nParameters] or 0

  -- 4. copy each storage into its place
  for _, key in ipairs(order) do
    local storage, offset = storages[key][1], storages[key][2]
    if storage:size() > 0 then
      flat:narrow(1, offset + 1, storage:size()):copy(Tensor():set(storage))
    end
  end

  -- 5. let the old storages go
  storages = nil
  for k = 1, #parameters do parameters[k]:set(Tensor()) end

  -- 6. squeeze out the holes
  if nUsed ~= nParameters then
    assert(compact, "Cannot gather tensors that are not compact")
    flat = Tensor(nUsed):copy(flat:maskedSelect(mask))
    for k = 1, #parameters do meta[k].offset = compactOffsets[meta[k].offset] end
  end

  -- 7. re-point every parameter into the flat storage
  local flatStorage = flat:storage()
  for k = 1, #parameters do
    parameters[k]:set(flatStorage, meta[k].offset, meta[k].size, meta[k].stride)
  end
  return flat
end

-- (flatParameters, flatGradParameters): every parameter (and gradient) now lives in one
-- 1-D tensor. Call it once, after type conversion and before sharing clones.
function Module:getParameters()
  local parameters, gradParameters = self:parameters()
  local p, g = Module.flatten(parameters), Module.flatten(gradParameters)
  assert(p:nElement() == g:nElement(), "check that you are sharing parameters and gradParameters")
  if parameters then
    for i = 1, #parameters do
      assert(parameters[i]:storageOffset() == gradParameters[i]:storageOffset(),
        "misaligned parameter at " .. tostring(i))
    end
  end
  return p, g
end

function Module:__call__(input, gradOutput)
  self:forward(input)
  if gradOutput then
    self:backward(input, gradOutput)
    return self.output, self.gradInput
  end
  return self.output
end

-- (modules, containers): every module of this type name in the tree, and the container
-- that holds each (the module itself for the root)
function Module:findModules(typename, container)
  container = container or self
  local nodes, containers = {}, {}
  if torch.typename(self) == typename then
    nodes[#nodes + 1] = self
    containers[#containers + 1] = container
  end
  if type(self.modules) == "table" then
    for i = 1, #self.modules do
      local cn, cc = self.modules[i]:findModules(typename, self)
      for j = 1, #cn do
        nodes[#nodes + 1] = cn[j]
        containers[#containers + 1] = cc[j]
      end
    end
  end
  return nodes, containers
end

-- this module first, then every module below it, depth first
function Module:listModules()
  local modules = { self }
  if self.modules then
    for i = 1, #self.modules do
      for _, m in ipairs(self.modules[i]:listModules()) do modules[#modules + 1] = m end
    end
  end
  return modules
end

-- replace(fn): fn(module) returns the module to put in its place, applied top-down
function Module:replace(callback)
  local out = callback(self)
  if self.modules then
    for i, module in ipairs(self.modules) do self.modules[i] = module:replace(callback) end
  end
  return out
end

-- How a module goes into a .t7 file: its fields as one table (Torch7's format). Subclasses
-- override write/read to leave out or rebuild fields (nn.WeightNorm) and call these.
local SKIPPED = { userdata = true, thread = true, cdata = true }

function Module:write(file)
  local fields = {}
  for k, v in pairs(self) do
    if not SKIPPED[type(v)] or torch.typename(v) then fields[k] = v end
  end
  file:writeObject(fields)
end

function Module:read(file)
  local fields = file:readObject()
  if type(fields) ~= "table" then
    error(string.format("%s: expected a table of fields in the file, got a %s",
      torch.typename(self), type(fields)), 2)
  end
  for k, v in pairs(fields) do self[k] = v end
end

function Module:__tostring__()
  return torch.type(self)
end

return Module
