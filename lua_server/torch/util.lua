-- Torch7's utility functions on the torch table (utils.c and luaT's Lua functions):
-- heap tracking, identity comparison, environments, terminals, cores, cdata type names.
local ffi = require "ffi"
local torch = require "torch.env"
local class = require "torch.class"
local core = require "torch.core"

local type, error, rawequal, getmetatable = type, error, rawequal, getmetatable
local C = ffi.C

for _, decl in ipairs {
  "int isatty(int fd);",
  "int fileno(void *stream);",
  "long sysconf(int name);",
} do pcall(ffi.cdef, decl) end
local SC_NPROCESSORS_ONLN = 84  -- glibc's value

-- Torch7 asked TH to run Lua's GC when an allocation failed; here LuaJIT's GC is already
-- driven by the bytes ATen holds (core.make), so only the flag is kept.
function torch.setheaptracking(enabled)
  if type(enabled) ~= "boolean" then error("bad argument #1 to 'setheaptracking' (boolean expected)", 2) end
  torch._heaptracking = enabled
end

-- Errors of the ATen kernels are Lua errors from the start: nothing to re-install.
function torch.updateerrorhandlers() end

local function is_torch_object(v)
  return core.isTensor(v) or core.isStorage(v)
end

-- luaT: two Torch objects are equal when they are the same C object; tables by identity.
function torch.isequal(a, b)
  if type(a) == "userdata" and type(b) == "userdata" then
    if not class.typename(a) then error("bad argument #1 to 'isequal' (Torch object expected)", 2) end
    if not class.typename(b) then error("bad argument #2 to 'isequal' (Torch object expected)", 2) end
    if rawequal(a, b) then return true end
    if is_torch_object(a) and is_torch_object(b) then
      return getmetatable(a) == getmetatable(b) and torch.pointer(a) == torch.pointer(b)
    end
    return false
  end
  if type(a) == "table" and type(b) == "table" then return rawequal(a, b) end
  return false
end

function torch.totable(obj)
  if is_torch_object(obj) then return obj:totable() end
  error("obj must be a Storage or a Tensor", 2)
end

-- luaT keeps an environment table per function or userdata (Lua 5.1's fenv)
local function env_target(v, fname)
  if type(v) ~= "function" and type(v) ~= "userdata" then
    error("bad argument #1 to '" .. fname .. "' (function or userdata expected, got " .. type(v) .. ")", 3)
  end
end

function torch.getenv(v)
  env_target(v, "getenv")
  return debug.getfenv(v) or {}
end

function torch.setenv(v, env)
  env_target(v, "setenv")
  if type(env) ~= "table" then error("bad argument #2 to 'setenv' (table expected, got " .. type(env) .. ")", 2) end
  debug.setfenv(v, env)
end

-- torch.isatty(io.stdout); the FFI converts a Lua file handle to its FILE*
function torch.isatty(file)
  if io.type(file) ~= "file" then error("bad argument #1 to 'isatty' (FILE* expected)", 2) end
  local fp = ffi.cast("void*", file)
  return C.isatty(C.fileno(fp)) == 1
end

function torch.getnumcores()
  return tonumber(C.sysconf(SC_NPROCESSORS_ONLN))
end

-- torch.metatype(name, mt [, ctype]): register mt as class `name` (torch.getmetatable
-- finds it) and, given a C type, name that type's cdata `name` for torch.typename, as
-- luaT did for FFI-defined Torch objects. Attaching mt to the C type stays ffi.metatype's job.
function torch.metatype(name, mt, ctype)
  if type(name) ~= "string" then error("bad argument #1 to 'metatype' (string expected)", 2) end
  if type(mt) ~= "table" then error("bad argument #2 to 'metatype' (table expected)", 2) end
  class.register(name, mt)
  if ctype ~= nil then class.cdata_names[tonumber(ffi.typeof(ctype))] = name end
end

-- Torch7's LuaJIT was built with Lua 5.2 compatibility, so Torch7 code (nn's tests among
-- it) calls table.unpack and table.pack; Debian's LuaJIT has neither
table.unpack = table.unpack or unpack
table.pack = table.pack or function(...) return { n = select("#", ...), ... } end

return torch
