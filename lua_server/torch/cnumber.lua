-- C numbers into Lua numbers. LuaJIT keeps NaN-boxed type tags in the NaN space of a double
-- and does not canonicalise NaNs when the FFI converts a C double (or a float widened to
-- one) into a Lua value: a NaN with another payload (ATen's reductions, a file, stale
-- memory) is then read as nil, a bogus object, or crashes the VM. Every read of a C
-- floating-point element goes through here, looks at the bits first, and hands Lua the
-- canonical NaN instead.
local ffi = require "ffi"

local band, cast, tonumber = bit.band, ffi.cast, tonumber
local i32p, f64p, f32p = ffi.typeof("int32_t*"), ffi.typeof("double*"), ffi.typeof("float*")
local HI, LO = 1, 0  -- word order of a double seen as two int32s
if ffi.abi("be") then HI, LO = 0, 1 end
local NAN = 0 / 0           -- the sign bit set, as x86 makes it
local NEG_NAN, POS_NAN = NAN, -NAN
if ffi.new("union { double d; int32_t w[2]; }", { d = NAN }).w[HI] >= 0 then
  NEG_NAN, POS_NAN = -NAN, NAN
end

local M = { NAN = NAN }

--- element i (0-based) of the doubles at ptr (any pointer type)
local function double_at(ptr, i)
  local w = cast(i32p, ptr)
  local hi = w[i + i + HI]
  if band(hi, 0x7FF00000) == 0x7FF00000 and (band(hi, 0xFFFFF) ~= 0 or w[i + i + LO] ~= 0) then
    return hi < 0 and NEG_NAN or POS_NAN  -- printf shows the sign: keep it
  end
  return cast(f64p, ptr)[i]
end

--- element i (0-based) of the floats at ptr (any pointer type)
local function float_at(ptr, i)
  local bits = cast(i32p, ptr)[i]
  if band(bits, 0x7F800000) == 0x7F800000 and band(bits, 0x7FFFFF) ~= 0 then
    return bits < 0 and NEG_NAN or POS_NAN
  end
  return cast(f32p, ptr)[i]
end

M.double_at, M.float_at = double_at, float_at

--- reader(ctype) -> function(ptr, i) giving element i of a C array of ctype as a Lua number
function M.reader(ctype)
  if ctype == "double" then return double_at end
  if ctype == "float" then return float_at end
  local p = ffi.typeof(ctype .. "*")
  return function(ptr, i) return tonumber(cast(p, ptr)[i]) end
end

return M
