-- The .t7 payloads of torch.<T>Storage and torch.<T>Tensor (shared/docs/t7-format.md §5.1,
-- §5.2), installed into every storage and tensor class by install(torch):
--   Storage: Long n, then n raw elements.
--   Tensor:  Int nDimension, Long sizes[n], Long strides[n], Long storageOffset (1-based),
--            then the storage as one object (NIL when the tensor has none).
-- Objects are memoized by torch.pointer, so views of one storage write it once and load
-- back sharing one storage.
local ffi = require "ffi"
local vla = require "aten.vla"  -- variable-length arrays the JIT may not sink (see there)
local File = require "torch.File"

local type, error, tostring, rawget, rawset = type, error, tostring, rawget, rawset
local sformat = string.format

local M = {}

local KINDS = File.KINDS
local K_INT, K_LONG = KINDS.Int, KINDS.Long
local MAX_DIMS = 64

-- the stems this runtime may have; Cuda classes share the payload of their CPU type
local STEMS = { "Byte", "Char", "Short", "Int", "Long", "Float", "Double", "Half" }

local function check_write(file, put, n, what)
  if put ~= n then
    file._hasError = true
    if not file:isQuiet() then
      error(sformat("write error: wrote %d blocks instead of %d (%s)", put, n, what), 3)
    end
  end
end

-- the smallest number of bytes n elements can take in this file's encoding
local function min_bytes(file, kind)
  if file:isBinary() then
    return kind.long and file:getLongSize() or kind.size
  end
  return kind.raw and 1 or 2
end

-- a pointer to a CPU storage's elements (and what keeps it valid). Half storages have no
-- Lua element type, so their bits are reached through an int16 view of the same memory.
local function elements(s, kind)
  if not kind.half then return s:data(), s end
  local aten = require "aten"
  local view = aten.call("view.dtype", s._h, aten.dtype.int16)
  return ffi.cast("uint16_t*", aten.C.lt_tensor_data(view)), view
end
M.elements = elements

local function storage_methods(torch, stem, storage_name, cpu_name)
  local kind = KINDS[stem]
  local cpu_ctor = rawget(torch, cpu_name:match("^torch%.(.*)$"))

  local function write(self, file)
    local src = self
    if storage_name ~= cpu_name then src = self:type(cpu_name) end -- CUDA: copy to the host
    local n = src:size()
    local lbuf = ffi.new("int64_t[1]", n)
    check_write(file, file:_writeArray(K_LONG, lbuf, 1), 1, "storage size")
    if n > 0 then
      local ptr, anchor = elements(src, kind)
      check_write(file, file:_writeArray(kind, ptr, n), n, storage_name .. " elements")
      M._anchor = anchor -- the Half view must outlive the copy
    end
  end

  -- a storage cannot refer back to anything, so it is built whole and memoized afterwards
  local function construct(file, _, className)
    local pos = file:_tell()
    local n = file:_readLongStrict(className .. " size")
    file:_checkCount(pos, n, min_bytes(file, kind), className .. " size")
    local s = cpu_ctor(n)
    if n > 0 then
      local ptr, anchor = elements(s, kind)
      file:_readStrict(kind, ptr, n, className .. " elements")
      M._anchor = anchor -- the Half view must outlive the copy
    end
    return s
  end

  local function key(self)
    return "S" .. tostring(torch.pointer(self))
  end

  return write, construct, key
end

local function tensor_methods(torch, stem, tensor_name, cpu_name)
  local cpu_ctor = rawget(torch, cpu_name:match("^torch%.(.*)$"))
  local storage_cpu_name = cpu_name:gsub("Tensor$", "Storage")

  local function write(self, file)
    local nd = self:nDimension()
    local ibuf = ffi.new("int32_t[1]", nd)
    check_write(file, file:_writeArray(K_INT, ibuf, 1), 1, "tensor dimension count")
    local sizes, strides = vla.new("int64_t[?]", nd + 1), vla.new("int64_t[?]", nd + 1)
    for d = 1, nd do
      sizes[d - 1], strides[d - 1] = self:size(d), self:stride(d)
    end
    if nd > 0 then
      check_write(file, file:_writeArray(K_LONG, sizes, nd), nd, "tensor sizes")
      check_write(file, file:_writeArray(K_LONG, strides, nd), nd, "tensor strides")
    end
    local storage = self:storage()
    -- Torch7's empty tensors have no storage at all
    if storage and self:nElement() == 0 and storage:size() == 0 then storage = nil end
    local obuf = ffi.new("int64_t[1]", storage and self:storageOffset() or 1)
    check_write(file, file:_writeArray(K_LONG, obuf, 1), 1, "tensor storage offset")
    file:writeObject(storage)
  end

  local function construct(file, _, className)
    local pos = file:_tell()
    local nd = file:_readIntStrict(className .. " dimension count")
    if nd < 0 or nd > MAX_DIMS then
      file:_corrupt(pos, sformat("%s with %d dimensions", className, nd))
    end
    local sizes, strides = {}, {}
    if nd > 0 then
      local buf = vla.new("int64_t[?]", nd)
      file:_readStrict(K_LONG, buf, nd, className .. " sizes")
      for d = 1, nd do sizes[d] = tonumber(buf[d - 1]) end
      file:_readStrict(K_LONG, buf, nd, className .. " strides")
      for d = 1, nd do strides[d] = tonumber(buf[d - 1]) end
    end
    local opos = file:_tell()
    local offset = file:_readLongStrict(className .. " storage offset")
    local spos = file:_tell()
    local storage = file:readObject()
    local t = cpu_ctor()
    if storage == nil then
      if nd > 0 then
        local numel = 1
        for d = 1, nd do numel = numel * sizes[d] end
        if numel > 0 then file:_corrupt(spos, className .. " of non-zero size has no storage") end
      end
      return t
    end
    if torch.typename(storage) ~= storage_cpu_name then
      file:_corrupt(spos, sformat("a %s must view a %s, got %s", className,
        storage_cpu_name, torch.typename(storage) or type(storage)))
    end
    -- the view must lie inside the storage
    local last, empty = offset - 1, false
    for d = 1, nd do
      if sizes[d] < 0 or strides[d] < 0 then
        file:_corrupt(pos, sformat("%s with size %d and stride %d in dimension %d", className,
          sizes[d], strides[d], d))
      end
      if sizes[d] == 0 then empty = true end
      last = last + (sizes[d] - 1) * strides[d]
    end
    if offset < 1 or (not empty and nd > 0 and last >= storage:size()) then
      file:_corrupt(opos, sformat("%s view (offset %d, last element %d) lies outside its storage of %d elements",
        className, offset, last + 1, storage:size()))
    end
    t:set(storage, offset, sizes, strides)
    return t
  end

  local function key(self)
    return "T" .. tostring(torch.pointer(self))
  end

  return write, construct, key
end

--- install(torch): give every tensor and storage class of this runtime its write/read
function M.install(torch)
  File.elementPointer = elements
  for _, stem in ipairs(STEMS) do
    local prefixes = { "" }
    prefixes[2] = stem == "Float" and "Cuda" or ("Cuda" .. stem)
    for i, pre in ipairs(prefixes) do
      local cpu_storage, cpu_tensor = "torch." .. stem .. "Storage", "torch." .. stem .. "Tensor"
      local sname, tname
      if i == 1 then
        sname, tname = cpu_storage, cpu_tensor
      else
        sname = "torch." .. pre .. "Storage"
        tname = "torch." .. pre .. "Tensor"
        if stem == "Float" then sname, tname = "torch.CudaStorage", "torch.CudaTensor" end
      end
      local smt, tmt = torch.getmetatable(sname), torch.getmetatable(tname)
      local usable = torch.getmetatable(cpu_storage) and torch.getmetatable(cpu_tensor)
        and M.supported(torch, stem)
      if smt and tmt and usable then
        local write, construct, key = storage_methods(torch, stem, sname, cpu_storage)
        rawset(smt, "write", write)
        rawset(smt, "__t7read", construct)
        rawset(smt, "__t7key", key)
        write, construct, key = tensor_methods(torch, stem, tname, cpu_tensor)
        rawset(tmt, "write", write)
        rawset(tmt, "__t7read", construct)
        rawset(tmt, "__t7key", key)
        -- Torch7's x:read(file): the body of a serialized object, read into x
        local read_storage, read_tensor = select(2, storage_methods(torch, stem, sname, cpu_storage)), construct
        rawset(smt, "read", function(self, file)
          local s = read_storage(file, nil, sname)
          self:resize(s:size())
          if s:size() > 0 then self:copy(s) end
          return self
        end)
        rawset(tmt, "read", function(self, file) return self:set(read_tensor(file, nil, tname)) end)
      end
    end
  end
end

-- a type can be serialized when its storage exposes its elements through data()
function M.supported(torch, stem)
  local ctor = rawget(torch, stem .. "Storage")
  if not ctor then return false end
  local ok = pcall(function() return elements(ctor(1), KINDS[stem]) end)
  return ok
end

return M
