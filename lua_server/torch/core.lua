-- Shared internals of the tensor runtime: how a Torch7 tensor object wraps an ATen tensor,
-- and the helpers every tensor file needs (wrapping, sizes, type lookup, errors).
-- A tensor (or storage) is a userdata whose payload is the at::Tensor itself (see
-- aten/objects.cpp) and whose metatable is its type's class (torch.FloatTensor ...); a
-- storage holds a 1-D view over the whole ATen storage. The object is its own ATen handle:
-- FFI calls take it as an lt_tensor*, and `t._h` is t.
local ffi = require "ffi"
local vla = require "aten.vla"  -- variable-length arrays the JIT may not sink (see there)
local aten = require "aten"
local types = require "torch.types"

local C = aten.C
local setmetatable, getmetatable, type, error, rawget = setmetatable, getmetatable, type, error, rawget
local int64_buf = ffi.new("int64_t[64]")

local core = {
  methods = {},          -- Tensor methods, shared by every tensor type
  storage_methods = {},  -- Storage methods, shared by every storage type
  tensor_mt = {},        -- info -> metatable
  storage_mt = {},
  default = nil,         -- info of the default tensor type
}

-- Tensors and storages are userdata (as in Torch7, so `#t` and `type(t)` behave) made by
-- the shim's new_object, one allocation each; the class's __gc (free_object) drops the
-- ATen reference when Lua collects the object.
local lib = aten.config.aten_lib
local new_object = assert(package.loadlib(lib, "lt_lua_new_object"))
local free_object = assert(package.loadlib(lib, "lt_lua_free_object"))
core.new_object = new_object

function core.new_class_metatable()
  local mt = { __gc = free_object }
  aten.object_mts[mt] = true  -- aten.call accepts these objects as tensor arguments
  return mt
end

-- LuaJIT's GC sees a few bytes per tensor, not the ATen memory behind it: count the bytes
-- of tensors made since the last collection and collect when they pass a budget, so loops
-- that make temporaries stay bounded (a handle is freed one cycle after its tensor, so the
-- peak is about twice the budget). Views allocate no storage and are not counted: a
-- model's forward makes many (weight:t() per Linear), and a full collection of a large
-- Lua heap costs milliseconds.
local GC_BUDGET = 128 * 1024 * 1024
local made_bytes = 0

-- Small tensors need the opposite care: each is ~50 bytes of Lua heap over ~1 KB of malloc
-- (TensorImpl, StorageImpl, data), so by LuaJIT's own pacing tens of thousands pile up
-- between cycles and are freed in a cold batch (malloc consolidation and cache misses
-- cost more than making them). Every STEP_BUDGET bytes of tensors made (counting
-- OVERHEAD per tensor, and at most STEP_BYTES_CAP of its data: it is the number of small
-- objects that hurts, and larger tensors are few) the collector takes an incremental step
-- worth a quarter of that in Lua allocation, so it paces itself to the memory it cannot
-- see. (Counting large tensors in full made char-rnn's step spend a third in the GC.)
local STEP_BUDGET = 4 * 1024 * 1024
local STEP_KB = STEP_BUDGET / 1024 / 4
local OVERHEAD = 512
local STEP_BYTES_CAP = 4096
local step_bytes = 0

-- Count a new tensor's bytes toward the collection budgets.
local function account(mt, h)
  local bytes = tonumber(C.lt_tensor_numel(h)) * (rawget(mt, "__element_size") or 8)
  made_bytes = made_bytes + bytes
  step_bytes = step_bytes + math.min(bytes, STEP_BYTES_CAP) + OVERHEAD
  if made_bytes > GC_BUDGET then
    made_bytes = 0
    step_bytes = 0
    collectgarbage()
  elseif step_bytes > STEP_BUDGET then
    step_bytes = 0
    collectgarbage("step", STEP_KB)
  end
end

-- An object of class mt referring to the tensor of h: an owned heap handle (which callers
-- may go on using; its finalizer frees it) or another object.
function core.make(mt, h, is_view)
  local u = new_object(mt)
  C.lt_object_share(u, h)
  if not is_view then account(mt, u) end
  return u
end

-- A new, still undefined object of t's class, for the shim's fast paths to fill in; then
-- core.fresh_made(u) for an object with new memory (views need nothing).
function core.fresh(t)
  return new_object(getmetatable(t))
end
function core.fresh_made(u)
  account(getmetatable(u), u)
  return u
end

function core.info_of_handle(h)
  local info = types.of(C.lt_tensor_device_type(h), C.lt_tensor_dtype(h))
  if not info then
    error("ATen tensor of scalar type " .. C.lt_tensor_dtype(h) .. " has no Torch7 type", 3)
  end
  return info
end

-- Wrap an owned handle as a tensor of the matching Torch7 type. ATen bool results
-- (comparisons) become ByteTensors, as Torch7's comparisons return.
function core.wrap(h)
  local dtype = C.lt_tensor_dtype(h)
  if dtype == aten.dtype.bool then
    h = aten.call("to.dtype", h, aten.dtype.uint8)
  end
  return core.make(core.tensor_mt[core.info_of_handle(h)], h)
end

-- Wrap a fresh raw handle from one of the shim's fast paths (nil: the call failed) as a
-- tensor of t's own type, skipping the type lookup.
function core.wrap_as(t, h)
  return core.make(getmetatable(t), aten.own(h))
end

-- Wrap an owned handle of a view of t (so of t's type) without the type lookup.
function core.view_of(t, h)
  return core.make(getmetatable(t), h, true)
end

-- The same for a fresh raw handle of a view from one of the shim's fast paths.
function core.view_as(t, h)
  return core.make(getmetatable(t), aten.own(h), true)
end

function core.wrap_storage(h)
  return core.make(core.storage_mt[core.info_of_handle(h)], h)
end

function core.isTensor(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return mt ~= nil and rawget(mt, "__tensor_info") ~= nil
end

function core.isStorage(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return mt ~= nil and rawget(mt, "__storage_info") ~= nil
end

function core.info(t)
  return getmetatable(t).__tensor_info
end

local function int64_list(h, fill)
  local n = C.lt_tensor_dim(h)
  fill(h, int64_buf)
  local out = {}
  for i = 1, n do out[i] = tonumber(int64_buf[i - 1]) end
  return out
end

-- Lua arrays of the ATen sizes and strides (0-element tensors keep their real shape here)
function core.sizes(t) return int64_list(t._h, C.lt_tensor_sizes) end
function core.strides(t) return int64_list(t._h, C.lt_tensor_strides) end

-- "2x3" as Torch7 prints sizes in messages
function core.size_string(t)
  local s = core.sizes(t)
  if #s == 0 then return "0" end
  return table.concat(s, "x")
end

-- A new zero-filled tensor of `info` with the given Lua array of sizes.
function core.new(info, sizes)
  local n = #sizes
  local buf = vla.new("int64_t[?]", math.max(n, 1))
  for i = 1, n do
    local s = sizes[i]
    if type(s) ~= "number" or s < 0 or s ~= s then
      error("invalid size " .. tostring(s) .. " for dimension " .. i, 3)
    end
    -- Torch7 reads sizes as C longs: a fractional size (nn's test file passes n/2) truncates
    buf[i - 1] = math.floor(s)
  end
  if n == 0 then buf[0] = 0; n = 1 end
  return core.make(core.tensor_mt[info], aten.zeros(buf, n, info.dtype, info.device, -1))
end

-- Raise a Torch7-style argument error that names the function and what it got.
function core.bad_args(fname, ...)
  local got = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    got[#got + 1] = (core.isTensor(v) and getmetatable(v).__typename) or type(v)
  end
  error(string.format("invalid arguments to %s: (%s)", fname, table.concat(got, ", ")), 3)
end

return core
