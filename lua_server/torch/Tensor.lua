-- The Torch7 tensor classes (torch.ByteTensor ... torch.DoubleTensor, torch.Cuda*Tensor):
-- constructors, metadata, type conversion, copy/fill/resize/set. Math lives in
-- TensorMath*.lua, indexing in TensorIndex.lua, printing in TensorPrint.lua.
local ffi = require "ffi"
local vla = require "aten.vla"  -- variable-length arrays the JIT may not sink (see there)
local aten = require "aten"
local torch = require "torch.env"
local types = require "torch.types"
local core = require "torch.core"
local cnumber = require "torch.cnumber"

local C = aten.C
local call, wrap, wrap_as = aten.call, core.wrap, core.wrap_as
local run = aten.run
local type, error, select, tostring, setmetatable = type, error, select, tostring, setmetatable
local isTensor, isStorage = core.isTensor, core.isStorage
local M = core.methods
local MEMORY_CONTIGUOUS = 0

-- sizes given as numbers (up to 8), or a LongStorage [+ strides LongStorage]
local function size_args(fname, ...)
  local first = (select(1, ...))
  if isStorage(first) then
    local sizes = first:totable()
    local strides_arg = select(2, ...)
    return sizes, strides_arg and strides_arg:totable() or nil
  end
  local sizes = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) ~= "number" then core.bad_args(fname, ...) end
    sizes[i] = v < 0 and math.ceil(v) or math.floor(v)  -- Torch7 truncates (long)x
  end
  return sizes
end
core.size_args = size_args

local function contiguous_strides(sizes)
  local strides, acc = {}, 1
  for i = #sizes, 1, -1 do
    strides[i] = acc
    acc = acc * math.max(sizes[i], 1)
  end
  return strides
end

-- nested Lua table -> sizes and flat values, row-major
local function flatten_table(tbl)
  local sizes, node = {}, tbl
  while type(node) == "table" do
    sizes[#sizes + 1] = #node
    node = node[1]
  end
  local flat = {}
  local function walk(t, d)
    if #t ~= sizes[d] then error("inconsistent table sizes at dimension " .. d, 5) end
    for i = 1, #t do
      if d == #sizes then
        local v = tonumber(t[i])  -- numeric strings count, as lua_tonumber reads them
        if v == nil then error("invalid element (not a number): table element " .. i .. " is a " .. type(t[i]), 5) end
        flat[#flat + 1] = v
      else
        walk(t[i], d + 1)
      end
    end
  end
  if #sizes > 0 and sizes[1] > 0 then walk(tbl, 1) end
  return sizes, flat
end

-- Fill a contiguous double tensor from a Lua array, then convert to the target type.
local function from_flat(info, sizes, flat)
  local dbl = core.new(types.by_tensor_name["torch.DoubleTensor"], sizes)
  local p = ffi.cast("double*", C.lt_tensor_data(dbl._h))
  for i = 1, #flat do p[i - 1] = flat[i] end
  if info.tensor == "torch.DoubleTensor" then return dbl end
  return dbl:type(info.tensor)
end
core.from_flat = from_flat

local function construct(mt, ...)
  local info = mt.__tensor_info
  local n = select("#", ...)
  local first = (select(1, ...))
  if n == 0 then return core.new(info, { 0 }) end
  if type(first) == "number" then
    return core.new(info, (size_args(info.tensor, ...)))
  end
  if isTensor(first) then
    if core.info(first) ~= info then
      error(info.tensor .. "(tensor) needs a " .. info.tensor .. ", got " .. torch.type(first), 3)
    end
    return wrap(call("alias", first._h))
  end
  if isStorage(first) then
    local sinfo = getmetatable(first).__storage_info
    if sinfo == info then  -- (storage [, offset [, sizes [, strides]]]): a view
      return core.new(info, { 0 }):set(...)
    end
    if sinfo.tensor ~= "torch.LongTensor" then
      error(info.tensor .. "(storage) needs a " .. info.storage .. ", got " .. torch.type(first), 3)
    end
    local sizes, strides = size_args(info.tensor, ...)  -- (LongStorage sizes [, strides])
    local t = core.new(info, sizes)
    if strides then t:set(t:storage(), 1, sizes, strides) end
    return t
  end
  if type(first) == "table" then
    local sizes, flat = flatten_table(first)
    return from_flat(info, sizes, flat)
  end
  core.bad_args(info.tensor, ...)
end

-- x.new(...) constructs x's type; as in Torch7, x:new(...) is that constructor called
-- with x (so x:new() shares x's storage); installed per class below
local function new_for(info)
  local ctor = torch.getconstructortable(info.tensor)
  return function(...) return ctor(...) end
end

-- one class per Torch7 type, all sharing the method table core.methods
for _, info in ipairs(types.list) do
  local mt = torch.newmetatable(info.tensor, nil, construct, nil, core.new_class_metatable())
  rawset(mt, "__tensor_info", info)
  rawset(mt, "__element_size", info.ctype and ffi.sizeof(info.ctype) or 2)
  core.tensor_mt[info] = mt
  rawset(mt, "new", new_for(info))
end

---------------------------------------------------------------------------- metadata

function M:dim()
  if C.lt_tensor_numel(self._h) == 0 then return 0 end  -- Torch7 has no 0-element shapes
  return C.lt_tensor_dim(self._h)
end
M.nDimension = M.dim

function M:size(d)
  local h = self._h
  if d == nil then
    if C.lt_tensor_numel(h) == 0 then return torch.LongStorage() end
    return torch.LongStorage(core.sizes(self))
  end
  local n = C.lt_tensor_dim(h)
  if type(d) ~= "number" or d < 1 or d > n or d ~= math.floor(d) then
    error("dimension " .. tostring(d) .. " out of range of " .. M.dim(self) .. "D tensor", 2)
  end
  return tonumber(C.lt_tensor_size(h, d - 1))
end

function M:stride(d)
  local h = self._h
  if d == nil then
    if C.lt_tensor_numel(h) == 0 then return torch.LongStorage() end
    return torch.LongStorage(core.strides(self))
  end
  local n = C.lt_tensor_dim(h)
  if type(d) ~= "number" or d < 1 or d > n then
    error("dimension " .. tostring(d) .. " out of range of " .. M.dim(self) .. "D tensor", 2)
  end
  return tonumber(C.lt_tensor_stride(h, d - 1))
end

function M:nElement() return tonumber(C.lt_tensor_numel(self._h)) end
M.numel = M.nElement
function M:storageOffset() return tonumber(C.lt_tensor_offset(self._h)) + 1 end
function M:isContiguous() return C.lt_tensor_is_contiguous(self._h) == 1 end
function M:type(name)
  if name == nil then return core.info(self).tensor end
  local info = types.by_tensor_name[name]
  if not info then error("unknown tensor type " .. tostring(name), 2) end
  if info == core.info(self) then return self end
  local r = wrap(call("_to_copy", self._h, info.dtype, nil, { info.device, -1 }, nil, false,
    MEMORY_CONTIGUOUS))
  return r
end
function M:typeAs(other) return self:type(other:type()) end
function M:isSameSizeAs(other)
  return C.lt_tensor_same_size(self._h, other._h) == 1
end

for _, info in ipairs(types.list) do
  if info.device == aten.device.cpu then
    M[info.short:lower()] = function(self) return self:type(info.tensor) end
  end
end
function M:cuda()
  local info = core.info(self)
  local name = info.short == "Float" and "torch.CudaTensor" or ("torch.Cuda" .. info.short .. "Tensor")
  if info.device == aten.device.cuda then return self end
  if C.lt_cuda_available() == 0 then
    error("cuda() needs a CUDA build of torch and a GPU; this server has neither", 2)
  end
  return self:type(name)
end
function M:cpu()
  local info = core.info(self)
  if info.device == aten.device.cpu then return self end
  return self:type("torch." .. info.prefix .. "Tensor")
end

---------------------------------------------------------------------------- data

function M:fill(v)
  if type(v) ~= "number" and tonumber(v) == nil then
    error("invalid arguments: " .. core.info(self).short .. "Tensor " .. type(v) ..
      " \nexpected arguments: *" .. core.info(self).short .. "Tensor* " .. (core.info(self).integer and "long" or "double"), 2)
  end
  run("fill_.Scalar", self._h, v)
  return self
end

function M:zero()
  run("zero_", self._h)
  return self
end

function M:resize(...)
  local sizes, strides = size_args("resize", ...)
  for d = 1, #sizes do
    local n = sizes[d]
    if n < 0 or n ~= math.floor(n) then
      error("resize: invalid size " .. tostring(n) .. " for dimension " .. d, 2)
    end
  end
  if strides then
    return self:set(self:storage(), self:storageOffset(), torch.LongStorage(sizes),
      torch.LongStorage(strides))
  end
  if #sizes == 0 then sizes = { 0 } end
  run("resize_", self._h, sizes)
  return self
end

function M:resizeAs(other)
  local sizes = core.sizes(other)
  run("resize_", self._h, sizes)
  return self
end

-- Torch7's copy: any source type, same number of elements, shapes may differ.
function M:copy(src)
  if not isTensor(src) then core.bad_args("copy", self, src) end
  if C.lt_small_copy(self, src) == 1 then return self end
  local n, m = self:nElement(), src:nElement()
  if n ~= m then
    error(string.format("copy: inconsistent tensor size, expected %s with %d elements, got source %s with %d elements",
      core.size_string(self), n, core.size_string(src), m), 2)
  end
  local sh = src._h
  if n > 0 and not self:isSameSizeAs(src) then
    sh = call("reshape", sh, core.sizes(self))
  end
  run("copy_", self._h, sh, false)
  return self
end

function M:clone()
  local r = core.fresh(self)
  if C.lt_small_clone(r, self) == 1 then return core.fresh_made(r) end
  return wrap_as(self, C.lt_tensor_clone(self._h))
end

function M:contiguous()
  if self:isContiguous() then return self end
  return self:clone()
end

-- Torch7's number form (storage, offset, sz1 [, st1 [, sz2 [, st2 ...]]]) as size and
-- stride lists; a missing or negative stride is the contiguous one, as TH computed it.
local function sizes_from_numbers(...)
  local n = select("#", ...)
  local sizes, strides = {}, {}
  for i = 1, n, 2 do
    local sz, st = select(i, ...)
    if type(sz) ~= "number" or (st ~= nil and type(st) ~= "number") then return nil end
    sizes[#sizes + 1], strides[#sizes + 1] = sz, st or -1
  end
  for d = #sizes, 1, -1 do
    if strides[d] < 0 then strides[d] = d == #sizes and 1 or sizes[d + 1] * strides[d + 1] end
  end
  return sizes, strides
end

-- set(): empty; set(tensor): view of tensor; set(storage [, offset [, sizes [, strides]]]);
-- set(storage, offset, sz1 [, st1 ...])
function M:set(src, offset, sizes, strides, ...)
  if type(sizes) == "number" and isStorage(src) then
    local sz, st = sizes_from_numbers(sizes, strides, ...)
    if not sz then core.bad_args("set", self, src, offset, sizes, strides, ...) end
    sizes, strides = sz, st
  end
  if src == nil then  -- detach: an empty tensor on no storage of its own
    return self:set(core.new(core.info(self), { 0 }))
  end
  local sizes_t, strides_t, source
  if isTensor(src) then
    source = src._h
    offset = src:storageOffset()
    sizes_t, strides_t = core.sizes(src), core.strides(src)
  elseif isStorage(src) then
    source = src._h
    offset = offset or 1
    if sizes == nil then
      sizes_t = { src:size() }
    elseif isStorage(sizes) then
      sizes_t = sizes:totable()
    else
      sizes_t = sizes
    end
    if strides == nil then
      strides_t = contiguous_strides(sizes_t)
    else
      strides_t = isStorage(strides) and strides:totable() or strides
    end
  else
    core.bad_args("set", self, src, offset, sizes, strides)
  end
  if core.info(self) ~= core.info(src) and not isStorage(src) then
    error("set: types differ (" .. self:type() .. " and " .. torch.type(src) .. ")", 2)
  end
  local n = #sizes_t
  local sz, st = vla.new("int64_t[?]", n + 1), vla.new("int64_t[?]", n + 1)
  for i = 1, n do sz[i - 1], st[i - 1] = sizes_t[i], strides_t[i] end
  if n == 0 then sz[0], st[0], n = 0, 1, 1 end
  if C.lt_tensor_set_storage(self._h, source, offset - 1, sz, st, n) ~= 0 then
    error("set: " .. aten.last_error(), 2)
  end
  return self
end

function M:isSetTo(other)
  return C.lt_tensor_storage_id(self._h) == C.lt_tensor_storage_id(other._h)
    and self:storageOffset() == other:storageOffset()
    and self:isSameSizeAs(other)
    and table.concat(core.strides(self), ",") == table.concat(core.strides(other), ",")
end

-- Torch7's empty tensors (torch.Tensor(), t:set()) have no storage: nil
function M:storage()
  if C.lt_tensor_storage_id(self._h) == nil or C.lt_tensor_storage_nbytes(self._h) == 0 then return nil end
  return core.wrap_storage(aten.own(C.lt_tensor_storage_view(self._h)))
end

-- Raw element pointer (LuaJIT FFI data loaders use t:data()).
function M:data()
  local info = core.info(self)
  if info.device ~= aten.device.cpu or not info.ptr then
    error("data() needs a CPU tensor of a C element type, got " .. info.tensor, 2)
  end
  return ffi.cast(info.ptr, C.lt_tensor_data(self._h))
end

-- Torch7's FFI layer gave t:cdata(), the C struct behind the tensor, as an FFI pointer; ours
-- is a pointer to the native tensor (the object's payload). Like Torch7's, it is only
-- valid while the tensor lives.
function M:cdata()
  return ffi.cast("lt_tensor*", self)
end

function M:totable()
  local sizes = core.sizes(self)
  if self:nElement() == 0 then return {} end
  local flat = self:contiguous():double()
  local p, read = C.lt_tensor_data(flat._h), cnumber.double_at
  local pos = 0
  local function build(d)
    local t = {}
    for i = 1, sizes[d] do
      if d == #sizes then
        t[i] = read(p, pos); pos = pos + 1
      else
        t[i] = build(d + 1)
      end
    end
    return t
  end
  return build(1)
end

---------------------------------------------------------------------------- torch.*

function torch.isTensor(v) return isTensor(v) end
function torch.isStorage(v) return isStorage(v) end

function torch.setdefaulttensortype(name)
  local info = types.by_tensor_name[name]
  if not info then error("unknown tensor type " .. tostring(name), 2) end
  core.default = info
  torch.Tensor = torch.getconstructortable(name)
  torch.Storage = torch.getconstructortable(info.storage)
end

function torch.getdefaulttensortype()
  return core.default.tensor
end

-- the address luaT gave: the C object of a tensor or storage, else the Lua object's own
-- (read from tostring with any __tostring set aside, as lua_topointer ignores it)
local POINTER_TYPES = { table = true, ["function"] = true, thread = true, userdata = true, cdata = true }

-- LuaJIT's built-in functions print no address ("builtin#29"): number them instead, below
-- zero where no address lies
local hidden_ids = setmetatable({}, { __mode = "k" })
local function id_of(obj, text)
  local hex = text:match("0x(%x+)")
  if hex then return tonumber(hex, 16) end
  if not hidden_ids[obj] then hidden_ids[obj] = -(#text + 1) - tonumber(text:match("%d+") or 0) * 1024 end
  return hidden_ids[obj]
end
function torch.pointer(obj)
  if isTensor(obj) then return tonumber(ffi.cast("intptr_t", ffi.cast("void*", obj))) end
  if isStorage(obj) then return tonumber(ffi.cast("intptr_t", C.lt_tensor_storage_id(obj._h))) end
  local kind = type(obj)
  if kind == "number" or kind == "string" then return 0 end  -- no address Lua can reach
  if not POINTER_TYPES[kind] then error("Torch object, table, thread, cdata or function expected", 2) end
  local text
  local mt = debug.getmetatable(obj)
  if mt and rawget(mt, "__tostring") ~= nil and kind ~= "cdata" then
    debug.setmetatable(obj, nil)
    text = tostring(obj)
    debug.setmetatable(obj, mt)
  else
    text = tostring(obj)
  end
  return id_of(obj, text)
end

function torch.setnumthreads(n) C.lt_set_num_threads(n) end
function torch.getnumthreads() return C.lt_get_num_threads() end

return M
