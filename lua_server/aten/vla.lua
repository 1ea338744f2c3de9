-- vla.new(ctype, n [, init...]): ffi.new of a variable-length array ("T[?]") that compiled
-- code can use safely. Every variable-length FFI array in this runtime is made here.
--
-- Why: LuaJIT 2.1.0-beta3 (Debian 12's luajit, and OpenResty's luajit2 2.1-20230119) may
-- "sink" an allocation that does not leave the trace being compiled, and rebuild it when the
-- trace exits. For a variable-length array it rebuilds it with the size of its type, which is
-- unknown (~0u): the block it allocates is a few bytes long, and the array's first stores are
-- written past it. The result is heap corruption that surfaces later as a segmentation fault
-- in LuaJIT's allocator (ten lines of plain LuaJIT reproduce it: see spec/vla_spec.lua).
-- An array passed to a C function escapes the trace, so it is never sunk; memset with a
-- length of 0 is that call, and touches nothing.
local ffi = require "ffi"

pcall(ffi.cdef, "void *memset(void *s, int c, size_t n);")
local C, new = ffi.C, ffi.new

local _M = {}

function _M.new(ctype, n, ...)
  local array = new(ctype, n, ...)
  C.memset(array, 0, 0)
  return array
end

return _M
