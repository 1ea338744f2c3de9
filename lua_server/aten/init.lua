-- LuaJIT's door to ATen: the shim's C ABI (lua_server/aten/shim.cpp) and a boxed call
-- that marshals Lua values by the operator's own schema. Operators are looked up once
-- and cached by "name.overload".
local ffi = require "ffi"
local vla = require "aten.vla"  -- variable-length arrays the JIT may not sink (see there)

local C_string, ffi_gc, ffi_new, ffi_cast = ffi.string, ffi.gc, ffi.new, ffi.cast
local type, error, select, tostring, math_floor = type, error, select, tostring, math.floor
local getmetatable = getmetatable

ffi.cdef [[
typedef struct lt_op lt_op;
typedef struct lt_stack lt_stack;
typedef struct lt_tensor lt_tensor;

const char* lt_last_error(void);
void lt_install_warning_handler(void);
const char* lt_take_warnings(void);

lt_op* lt_op_find(const char* name, const char* overload);
const char* lt_op_schema(lt_op* op);
int lt_op_nargs(lt_op* op);
const char* lt_op_arg_name(lt_op* op, int i);
const char* lt_op_arg_type(lt_op* op, int i);
int lt_op_arg_has_default(lt_op* op, int i);
int lt_op_arg_kwarg_only(lt_op* op, int i);
int lt_op_nreturns(lt_op* op);

lt_stack* lt_stack_new(void);
void lt_stack_free(lt_stack* s);
void lt_stack_clear(lt_stack* s);
int lt_stack_size(lt_stack* s);
void lt_push_none(lt_stack* s);
void lt_push_tensor(lt_stack* s, lt_tensor* t);
void lt_push_int(lt_stack* s, int64_t v);
void lt_push_double(lt_stack* s, double v);
void lt_push_bool(lt_stack* s, int v);
void lt_push_string(lt_stack* s, const char* v);
void lt_push_device(lt_stack* s, int type, int index);
void lt_push_int_list(lt_stack* s, const int64_t* v, int n);
void lt_push_double_list(lt_stack* s, const double* v, int n);
void lt_push_bool_list(lt_stack* s, const int* v, int n);
void lt_push_tensor_list(lt_stack* s, lt_tensor** v, int n);
void lt_push_optional_tensor_list(lt_stack* s, lt_tensor** v, int n);
int lt_push_default(lt_stack* s, lt_op* op, int i);
int lt_call(lt_op* op, lt_stack* s);

int lt_stack_tag(lt_stack* s, int i);
lt_tensor* lt_stack_tensor(lt_stack* s, int i);
int64_t lt_stack_int(lt_stack* s, int i);
double lt_stack_double(lt_stack* s, int i);
int lt_stack_bool(lt_stack* s, int i);
int lt_stack_list_size(lt_stack* s, int i);
lt_tensor* lt_stack_list_tensor(lt_stack* s, int i, int j);
int64_t lt_stack_list_int(lt_stack* s, int i, int j);
const char* lt_stack_string(lt_stack* s, int i);

void lt_tensor_free(lt_tensor* t);
lt_tensor* lt_tensor_alias(lt_tensor* t);
int lt_tensor_defined(lt_tensor* t);
int lt_tensor_dim(lt_tensor* t);
int64_t lt_tensor_size(lt_tensor* t, int d);
int64_t lt_tensor_stride(lt_tensor* t, int d);
void lt_tensor_sizes(lt_tensor* t, int64_t* out);
void lt_tensor_strides(lt_tensor* t, int64_t* out);
int64_t lt_tensor_numel(lt_tensor* t);
int lt_tensor_same_size(lt_tensor* a, lt_tensor* b);
int64_t lt_tensor_offset(lt_tensor* t);
int lt_tensor_dtype(lt_tensor* t);
int lt_tensor_device_type(lt_tensor* t);
int lt_tensor_device_index(lt_tensor* t);
int lt_tensor_is_contiguous(lt_tensor* t);
void* lt_tensor_data(lt_tensor* t);
const void* lt_tensor_storage_id(lt_tensor* t);
int64_t lt_tensor_storage_nbytes(lt_tensor* t);
void* lt_tensor_storage_data(lt_tensor* t);
lt_tensor* lt_tensor_zeros(const int64_t* sizes, int ndim, int dtype, int device_type, int device_index);
int lt_tensor_set_storage(lt_tensor* self, lt_tensor* src, int64_t offset, const int64_t* sizes,
                          const int64_t* strides, int ndim);
lt_tensor* lt_tensor_storage_view(lt_tensor* t);
lt_tensor* lt_tensor_clone(lt_tensor* t);
lt_tensor* lt_tensor_narrow(lt_tensor* t, int dim, int64_t start, int64_t length);
lt_tensor* lt_tensor_select(lt_tensor* t, int dim, int64_t index);
lt_tensor* lt_tensor_add(lt_tensor* a, lt_tensor* b, int64_t alpha);
int lt_tensor_sum(lt_tensor* t, int dtype, double* out);
void lt_set_num_threads(int n);
int lt_get_num_threads(void);
int lt_cuda_available(void);

void lt_object_share(lt_tensor* object, lt_tensor* other);
int lt_small_narrow(lt_tensor* out, lt_tensor* src, int dim, int64_t start, int64_t length);
int lt_small_select(lt_tensor* out, lt_tensor* src, int dim, int64_t index);
int lt_small_clone(lt_tensor* out, lt_tensor* src);
int lt_small_add_new(lt_tensor* out, lt_tensor* a, lt_tensor* b, double alpha);
int lt_small_add(lt_tensor* x, lt_tensor* y, double alpha);
int lt_small_cmul(lt_tensor* x, lt_tensor* y);
int lt_small_mul_scalar(lt_tensor* x, double v);
int lt_small_copy(lt_tensor* dst, lt_tensor* src);
int lt_small_mm(lt_tensor* c, lt_tensor* a, lt_tensor* b, double alpha);
int lt_unary_out(int which, lt_tensor* out, lt_tensor* src);
int lt_small_addmm(lt_tensor* c, lt_tensor* a, lt_tensor* b, double beta, double alpha);
]]

local M = {}

local function locate_config()
  local here = debug.getinfo(1, "S").source:sub(2):match("^(.*)/aten/[^/]*$") or "."
  local path = os.getenv("LUATORCH_CONFIG") or (here .. "/build/config.lua")
  local chunk = loadfile(path)
  if not chunk then
    error("luatorch: " .. path .. " is missing; run `make shim` to build the ATen shim", 0)
  end
  return chunk()
end

M.config = locate_config()
local C = ffi.load(M.config.aten_lib)
M.C = C
C.lt_install_warning_handler()

-- c10::ScalarType codes
M.dtype = { uint8 = 0, int8 = 1, int16 = 2, int32 = 3, int64 = 4, float16 = 5, float32 = 6,
  float64 = 7, bool = 11 }
M.device = { cpu = 0, cuda = 1 }

local stack = C.lt_stack_new()

local function last_error()
  return C_string(C.lt_last_error())
end
M.last_error = last_error

-- A fresh handle owned by Lua: freed by the GC unless freed earlier with M.free.
local function own(h)
  if h == nil then error(last_error(), 3) end
  return ffi_gc(h, C.lt_tensor_free)
end
M.own = own

-- Release a handle now (temporaries: LuaJIT's GC cannot see ATen memory).
function M.free(h)
  if type(h) ~= "cdata" then return end  -- a tensor object frees itself
  ffi_gc(h, nil)
  C.lt_tensor_free(h)
end

-- argument kinds, parsed once per operator from the schema's type strings
local K_TENSOR, K_SCALAR, K_INT, K_FLOAT, K_BOOL, K_INTLIST, K_TENSORLIST, K_OPTTENSORLIST,
  K_STR, K_FLOATLIST, K_BOOLLIST, K_DEVICE, K_NONE_ONLY, K_SCALARTYPE = 1, 2, 3, 4, 5, 6, 7, 8,
  9, 10, 11, 12, 13, 14

local function kind_of(t)
  local base = t:gsub("%?$", "")
  if base == "Tensor" then return K_TENSOR end
  if base == "Scalar" then return K_SCALAR end
  if base == "int" or base == "SymInt" then return K_INT end
  if base == "ScalarType" or base == "Layout" or base == "MemoryFormat" then return K_SCALARTYPE end
  if base == "float" then return K_FLOAT end
  if base == "bool" then return K_BOOL end
  if base:match("^S?y?m?[Ii]nt%[%d*%]$") or base:match("^int%[%d*%]$") or base:match("^SymInt%[%d*%]$") then
    return K_INTLIST
  end
  if base == "Tensor[]" then return K_TENSORLIST end
  if base == "Tensor?[]" or base == "List[Optional[Tensor]]" then return K_OPTTENSORLIST end
  if base == "str" then return K_STR end
  if base:match("^float%[%d*%]$") then return K_FLOATLIST end
  if base:match("^bool%[%d*%]$") then return K_BOOLLIST end
  if base == "Device" then return K_DEVICE end
  return K_NONE_ONLY  -- Generator?, Dimname and the like: only None/defaults are passed
end

local ops = {}

--- op("add.Tensor") -> cached operator descriptor
function M.op(full)
  local op = ops[full]
  if op then return op end
  local name, overload = full:match("^([^.]+)%.?(.*)$")
  local h = C.lt_op_find("aten::" .. name, overload)
  if h == nil then error("ATen has no operator aten::" .. full .. ": " .. last_error(), 2) end
  local n = C.lt_op_nargs(h)
  op = { h = h, name = full, nargs = n, kinds = {}, names = {}, optional = {}, has_default = {} }
  for i = 0, n - 1 do
    local t = C_string(C.lt_op_arg_type(h, i))
    op.kinds[i + 1] = kind_of(t)
    op.names[i + 1] = C_string(C.lt_op_arg_name(h, i))
    op.optional[i + 1] = t:sub(-1) == "?"
    op.has_default[i + 1] = C.lt_op_arg_has_default(h, i) == 1
  end
  op.schema = C_string(C.lt_op_schema(h))
  ops[full] = op
  return op
end

local int_buf = ffi_new("int64_t[64]")
local dbl_buf = ffi_new("double[64]")
local int32_buf = ffi_new("int[64]")
local ptr_buf = ffi_new("lt_tensor*[1024]")

-- Tensors are passed either as raw handles (cdata) or as the runtime's tensor objects:
-- userdata whose payload is the at::Tensor, of a class registered here by torch.core.
-- Only those userdata may reach an lt_tensor* parameter: FFI would pass any other's
-- payload just as readily.
local object_mts = {}
M.object_mts = object_mts

local function handle_of(v)
  if type(v) == "table" then return v._h end
  return v
end
M.handle_of = handle_of

local function is_handle(h)
  local kind = type(h)
  return kind == "cdata" or (kind == "userdata" and object_mts[getmetatable(h)] == true)
end
M.is_handle = is_handle

local function arg_error(op, i, v, what)
  error(string.format("%s: argument %d (%s) expects %s, got %s", op.name, i, op.names[i], what,
    type(v) == "table" and (tostring(rawget(getmetatable(v) or {}, "__typename") or "table")) or type(v)), 4)
end

local function push(op, i, v)
  local kind = op.kinds[i]
  if v == nil then
    if op.has_default[i] then C.lt_push_default(stack, op.h, i - 1); return end
    if op.optional[i] or kind == K_NONE_ONLY then C.lt_push_none(stack); return end
    error(string.format("%s: missing argument %d (%s)", op.name, i, op.names[i]), 4)
  end
  if kind == K_TENSOR then
    local h = handle_of(v)
    if not is_handle(h) then arg_error(op, i, v, "a tensor") end
    C.lt_push_tensor(stack, h)
  elseif kind == K_SCALAR then
    if type(v) == "string" then v = tonumber(v) or v end  -- Torch7's wrappers take numeric strings
    if type(v) == "boolean" then C.lt_push_bool(stack, v and 1 or 0)
    elseif type(v) ~= "number" then arg_error(op, i, v, "a number")
    elseif v == math_floor(v) and v >= -9.2e18 and v <= 9.2e18 then C.lt_push_int(stack, v)
    else C.lt_push_double(stack, v) end
  elseif kind == K_INT or kind == K_SCALARTYPE then
    if type(v) ~= "number" then arg_error(op, i, v, "an integer") end
    C.lt_push_int(stack, v)
  elseif kind == K_FLOAT then
    if type(v) ~= "number" then arg_error(op, i, v, "a number") end
    C.lt_push_double(stack, v)
  elseif kind == K_BOOL then
    C.lt_push_bool(stack, v and 1 or 0)
  elseif kind == K_INTLIST then
    if type(v) == "number" then
      int_buf[0] = v
      C.lt_push_int_list(stack, int_buf, 1)
    else
      local n = #v
      local buf = n <= 64 and int_buf or vla.new("int64_t[?]", n)
      for j = 1, n do buf[j - 1] = v[j] end
      C.lt_push_int_list(stack, buf, n)
    end
  elseif kind == K_TENSORLIST or kind == K_OPTTENSORLIST then
    local n = v.n or #v
    local buf = n <= 1024 and ptr_buf or vla.new("lt_tensor*[?]", n)
    for j = 1, n do
      local h = v[j] ~= nil and handle_of(v[j]) or nil
      if h == nil and kind == K_TENSORLIST then arg_error(op, i, v[j], "a list of tensors") end
      if h ~= nil and not is_handle(h) then arg_error(op, i, v[j], "a list of tensors") end
      buf[j - 1] = h
    end
    if kind == K_TENSORLIST then C.lt_push_tensor_list(stack, buf, n)
    else C.lt_push_optional_tensor_list(stack, buf, n) end
  elseif kind == K_FLOATLIST then
    local n = #v
    for j = 1, n do dbl_buf[j - 1] = v[j] end
    C.lt_push_double_list(stack, dbl_buf, n)
  elseif kind == K_BOOLLIST then
    local n = #v
    for j = 1, n do int32_buf[j - 1] = v[j] and 1 or 0 end
    C.lt_push_bool_list(stack, int32_buf, n)
  elseif kind == K_STR then
    C.lt_push_string(stack, tostring(v))
  elseif kind == K_DEVICE then
    C.lt_push_device(stack, v[1], v[2] or -1)
  else
    C.lt_push_none(stack)
  end
end

local function result(i)
  local tag = C.lt_stack_tag(stack, i)
  if tag == 1 then return own(C.lt_stack_tensor(stack, i))
  elseif tag == 2 then return tonumber(C.lt_stack_int(stack, i))
  elseif tag == 3 then return C.lt_stack_double(stack, i)
  elseif tag == 4 then return C.lt_stack_bool(stack, i) == 1
  elseif tag == 5 then
    local list = {}
    for j = 0, C.lt_stack_list_size(stack, i) - 1 do list[j + 1] = own(C.lt_stack_list_tensor(stack, i, j)) end
    return list
  elseif tag == 6 then
    local list = {}
    for j = 0, C.lt_stack_list_size(stack, i) - 1 do list[j + 1] = tonumber(C.lt_stack_list_int(stack, i, j)) end
    return list
  elseif tag == 7 then return C_string(C.lt_stack_string(stack, i))
  end
  return nil
end

local function collect(n)
  local out = {}
  for i = 1, n do out[i] = result(i - 1) end
  return unpack(out, 1, n)
end

-- Push the arguments by the schema and call; leaves the results on the stack.
-- Missing trailing arguments take the schema's defaults; nil means default or None.
-- The first six arguments are named parameters, not `local a1, ... = ...`: the system
-- LuaJIT (2.1 before upstream issue #864's fix) misrecords a fixed-count `...` adjustment
-- in a trace that starts inside a vararg function, handing each local the next argument
-- (see docs/DIFFERENCES.md). The rest are read with select(), which it records correctly.
local function invoke(full, count, a1, a2, a3, a4, a5, a6, ...)
  local op = ops[full] or M.op(full)
  local nargs = op.nargs
  if count > nargs then
    error(string.format("%s takes %d arguments, got %d", full, nargs, count), 3)
  end
  C.lt_stack_clear(stack)
  -- unrolled for the common arities: select() in a loop costs more than the push itself
  if nargs >= 1 then push(op, 1, a1) end
  if nargs >= 2 then push(op, 2, a2) end
  if nargs >= 3 then push(op, 3, a3) end
  if nargs >= 4 then push(op, 4, a4) end
  if nargs >= 5 then push(op, 5, a5) end
  if nargs >= 6 then push(op, 6, a6) end
  for i = 7, nargs do push(op, i, (select(i - 6, ...))) end
  if C.lt_call(op.h, stack) ~= 0 then
    local msg = last_error()
    C.lt_stack_clear(stack)
    error(msg, 3)
  end
end

--- call("add.Tensor", a, b, alpha) -> results (tensors as owned raw handles).
function M.call(full, ...)
  invoke(full, select("#", ...), ...)
  local n = C.lt_stack_size(stack)
  if n == 1 then
    local r = result(0)
    C.lt_stack_clear(stack)
    return r
  end
  local out = { collect(n) }
  C.lt_stack_clear(stack)
  return unpack(out, 1, n)
end

--- run(...): call for its effect only (in-place and out= operators); no handles are made.
function M.run(full, ...)
  invoke(full, select("#", ...), ...)
  C.lt_stack_clear(stack)
end

--- callk("conv2d", {input, weight}, {stride = {2, 2}}): positional then named arguments
function M.callk(full, positional, named)
  local op = ops[full] or M.op(full)
  local args = {}
  for i = 1, op.nargs do
    local v = positional[i]
    if v == nil and named then v = named[op.names[i]] end
    args[i] = v
  end
  return M.call(full, unpack(args, 1, op.nargs))
end

function M.warnings()
  local w = C_string(C.lt_take_warnings())
  if w == "" then return nil end
  return w
end

function M.zeros(sizes, ndim, dtype, device_type, device_index)
  return own(C.lt_tensor_zeros(sizes, ndim, dtype, device_type or 0, device_index or -1))
end

return M
