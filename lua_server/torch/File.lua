-- torch.File: Torch7's abstract file (THFile + File.lua). Subclasses (DiskFile, MemoryFile)
-- supply byte-level primitives; this class turns them into Torch7's binary and ascii
-- encodings of C scalars and into the tagged, memoized object grammar of .t7 files
-- (see shared/docs/t7-format.md). Class-name policy (aliases, placeholders for missing
-- classes) is installed by torch.serialize through File.resolveClass.
--
-- Subclass primitives (all positions 0-based, counts in bytes):
--   _isOpen()  _read(ptr, n) -> got  _write(ptr, n) -> put  _getc() -> byte or -1
--   _ungetc(c)  _tell()  _seekTo(pos) -> ok  _seekEnd()  _length() -> n or nil
--   _close()  _sync()
local ffi = require "ffi"
local torch = require "torch.env"

local C = ffi.C
local type, error, pcall, tonumber, tostring, rawget = type, error, pcall, tonumber, tostring, rawget
local getmetatable, setmetatable, pairs, ipairs = getmetatable, setmetatable, pairs, ipairs
local floor, huge = math.floor, math.huge
local sformat, concat = string.format, table.concat
local band, bor, lshift, rshift = bit.band, bit.bor, bit.lshift, bit.rshift

-- each declaration on its own, so one already made elsewhere does not stop the others
for _, decl in ipairs {
  "int snprintf(char *str, size_t size, const char *format, ...);",
  "double strtod(const char *nptr, char **endptr);",
  "float strtof(const char *nptr, char **endptr);",
  "long long strtoll(const char *nptr, char **endptr, int base);",
} do pcall(ffi.cdef, decl) end

local File = torch.getmetatable("torch.File") or torch.class("torch.File")

local TYPE_NIL, TYPE_NUMBER, TYPE_STRING, TYPE_TABLE, TYPE_TORCH = 0, 1, 2, 3, 4
local TYPE_BOOLEAN, TYPE_FUNCTION, LEGACY_TYPE_RECUR_FUNCTION, TYPE_RECUR_FUNCTION = 5, 6, 7, 8

local MAX_ELEMENTS = 2 ^ 40     -- no real storage or string is larger; refuse before allocating
local MAX_NAME = 4096           -- class names and version strings

File.TYPE = {
  NIL = TYPE_NIL, NUMBER = TYPE_NUMBER, STRING = TYPE_STRING, TABLE = TYPE_TABLE,
  TORCH = TYPE_TORCH, BOOLEAN = TYPE_BOOLEAN, FUNCTION = TYPE_FUNCTION,
  LEGACY_RECUR_FUNCTION = LEGACY_TYPE_RECUR_FUNCTION, RECUR_FUNCTION = TYPE_RECUR_FUNCTION,
}
File.MAX_ELEMENTS = MAX_ELEMENTS

---------------------------------------------------------------------------------------------
-- scalar kinds

local KINDS = {}
for _, k in ipairs {
  { name = "Byte", size = 1, ctype = "uint8_t", raw = true },
  { name = "Char", size = 1, ctype = "int8_t", raw = true },
  { name = "Short", size = 2, ctype = "int16_t", int = true },
  { name = "Int", size = 4, ctype = "int32_t", int = true },
  { name = "Long", size = 8, ctype = "int64_t", int = true, long = true },
  { name = "Float", size = 4, ctype = "float", fmt = "%.9g", single = true },
  { name = "Double", size = 8, ctype = "double", fmt = "%.17g" },
  { name = "Half", size = 2, ctype = "uint16_t", fmt = "%.9g", half = true, single = true },
} do
  k.ptr = ffi.typeof(k.ctype .. "*")
  k.array = ffi.typeof(k.ctype .. "[?]")
  k.scratch = ffi.new(k.ctype .. "[1]")
  KINDS[k.name] = k
end
File.KINDS = KINDS
local K_CHAR, K_INT, K_LONG, K_DOUBLE = KINDS.Char, KINDS.Int, KINDS.Long, KINDS.Double

-- IEEE binary16 <-> binary32, round to nearest even
local bits32 = ffi.new("union { float f; uint32_t u; }")

local function half_to_float(h)
  local sign = band(h, 0x8000) ~= 0 and -1 or 1
  local e = band(rshift(h, 10), 0x1f)
  local m = band(h, 0x3ff)
  if e == 0 then return sign * m * 2 ^ -24 end
  if e == 31 then return m == 0 and sign * huge or 0 / 0 end
  return sign * (1 + m / 1024) * 2 ^ (e - 15)
end

local function float_to_half(x)
  bits32.f = x
  local u = tonumber(bits32.u)
  local sign = band(rshift(u, 16), 0x8000)
  local e = band(rshift(u, 23), 0xff)
  local m = band(u, 0x7fffff)
  if e == 255 then return bor(sign, 0x7c00, m ~= 0 and 0x200 or 0) end
  local he = e - 127 + 15
  if he >= 31 then return bor(sign, 0x7c00) end
  if he <= 0 then
    if he < -10 then return sign end
    m = bor(m, 0x800000)
    local shift = 14 - he
    local hm = rshift(m, shift)
    local rest = band(m, lshift(1, shift) - 1)
    local half = lshift(1, shift - 1)
    if rest > half or (rest == half and band(hm, 1) == 1) then hm = hm + 1 end
    return bor(sign, hm)
  end
  local hm = rshift(m, 13)
  local rest = band(m, 0x1fff)
  local h = bor(sign, lshift(he, 10), hm)
  if rest > 0x1000 or (rest == 0x1000 and band(hm, 1) == 1) then h = h + 1 end
  return h
end
File.half_to_float, File.float_to_half = half_to_float, float_to_half

local function swap_bytes(ptr, size, n)
  local p = ffi.cast("uint8_t*", ptr)
  for e = 0, n - 1 do
    local b = e * size
    for i = 0, size / 2 - 1 do
      p[b + i], p[b + size - 1 - i] = p[b + size - 1 - i], p[b + i]
    end
  end
end

---------------------------------------------------------------------------------------------
-- state, flags and errors

local function state(self)
  if not rawget(self, "_readable") and not rawget(self, "_writable") then
    error("torch.File is abstract: use torch.DiskFile or torch.MemoryFile", 3)
  end
end

-- called by subclass constructors
function File:_initFile(readable, writable, quiet)
  self._readable, self._writable = readable, writable
  self._quiet = not not quiet
  self._hasError = false
  self._binary = false          -- Torch7 files start in ascii mode; torch.save switches
  self._autoSpacing = true
  self._longSize = 0
  self._swap = false
end

local function check_open(self)
  if not self:_isOpen() then error("attempt to use a closed file", 3) end
end

local function check_readable(self)
  state(self)
  if not self:_isOpen() then error("attempt to use a closed file", 3) end
  if not self._readable then error("attempt to read in a write-only file", 3) end
end

local function check_writable(self)
  state(self)
  if not self:_isOpen() then error("attempt to use a closed file", 3) end
  if not self._writable then error("attempt to write in a read-only file", 3) end
end

function File:isQuiet() return self._quiet end
function File:isReadable() return self._readable end
function File:isWritable() return self._writable end
function File:isBinary() return self._binary end
function File:isAutoSpacing() return self._autoSpacing end
function File:hasError() return self._hasError end
function File:binary() self._binary = true; return self end
function File:ascii() self._binary = false; return self end
function File:autoSpacing() self._autoSpacing = true; return self end
function File:noAutoSpacing() self._autoSpacing = false; return self end
function File:quiet() self._quiet = true; return self end
function File:pedantic() self._quiet = false; return self end
function File:clearError() self._hasError = false; return self end

--- longSize(n): width of the Long primitive in binary mode; 0 (native, 8 here), 4 or 8
function File:longSize(n)
  if n ~= 0 and n ~= 4 and n ~= 8 then error("Invalid long size specified", 2) end
  self._longSize = n
  return self
end

function File:getLongSize() return self._longSize == 0 and 8 or self._longSize end

local function read_failed(self, got, n, pos)
  self._hasError = true
  if not self._quiet then
    error(sformat("read error: read %d blocks instead of %d (at byte offset %d)", got, n, pos), 3)
  end
end

local function write_failed(self, put, n)
  self._hasError = true
  if not self._quiet then
    error(sformat("write error: wrote %d blocks instead of %d", put, n), 3)
  end
end

-- the one error every malformed input ends in: where, and what was expected there
function File:_corrupt(pos, what)
  error(sformat("corrupt or truncated .t7 data at byte offset %d: %s", pos, what), 0)
end

function File:_remaining()
  local len = self:_length()
  if not len then return nil end
  return len - self:_tell()
end

---------------------------------------------------------------------------------------------
-- positioning (1-based, as in Torch7's Lua binding)

function File:seek(pos)
  state(self); check_open(self)
  if type(pos) ~= "number" or pos < 1 then error("position has to be greater than 0!", 2) end
  if not self:_seekTo(pos - 1) then
    self._hasError = true
    if not self._quiet then error(sformat("unable to seek to position %d", pos), 2) end
  end
  return self
end

function File:seekEnd()
  state(self); check_open(self)
  self:_seekEnd()
  return self
end

function File:position()
  state(self); check_open(self)
  return self:_tell() + 1
end

function File:synchronize()
  state(self); check_open(self)
  self:_sync()
  return self
end

function File:close()
  state(self); check_open(self)
  self:_close()
  return self
end

---------------------------------------------------------------------------------------------
-- array primitives: n elements of a kind between a C buffer and the file; return the count

local tokbuf = ffi.new("char[520]")
local endptr = ffi.new("char*[1]")
local TOKEN_MAX = 512

local function is_space(c)
  return c == 32 or (c >= 9 and c <= 13) or c == 58 or c == 59 -- ':' ';' as in THMemoryFile
end

-- one scanf-style field: skip blanks, then the longest run of number characters
local function next_token(self)
  local c = self:_getc()
  while c >= 0 and is_space(c) do c = self:_getc() end
  local len = 0
  while c >= 0 and ((c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122)
                    or c == 43 or c == 45 or c == 46 or c == 95) do
    if len >= TOKEN_MAX then return 0 end
    tokbuf[len] = c
    len = len + 1
    c = self:_getc()
  end
  if c >= 0 then self:_ungetc(c) end
  tokbuf[len] = 0
  return len
end

local function parse_token(kind, len, p, i)
  if len == 0 then return false end
  if kind.int then
    local v = C.strtoll(tokbuf, endptr, 10)
    if endptr[0] - tokbuf ~= len then return false end
    p[i] = v
  elseif kind.single then
    local v = C.strtof(tokbuf, endptr)
    if endptr[0] - tokbuf ~= len then return false end
    if kind.half then p[i] = float_to_half(v) else p[i] = v end
  else
    local v = C.strtod(tokbuf, endptr)
    if endptr[0] - tokbuf ~= len then return false end
    p[i] = v
  end
  return true
end

local function skip_newline(self)
  local c = self:_getc()
  if c >= 0 and c ~= 10 then self:_ungetc(c) end
end

function File:_readArray(kind, ptr, n)
  if n <= 0 then return 0 end
  if self._binary then
    if kind.long and self._longSize == 4 then
      local tmp = ffi.new("int32_t[?]", n)
      local got = floor(self:_read(tmp, 4 * n) / 4)
      if self._swap then swap_bytes(tmp, 4, got) end
      local p = ffi.cast("int64_t*", ptr)
      for i = 0, got - 1 do p[i] = tmp[i] end
      return got
    end
    local got = floor(self:_read(ptr, kind.size * n) / kind.size)
    if self._swap and kind.size > 1 then swap_bytes(ptr, kind.size, got) end
    return got
  end
  if kind.raw then
    local got = self:_read(ptr, n)
    if self._autoSpacing then skip_newline(self) end
    return got
  end
  local p = ffi.cast(kind.ptr, ptr)
  local got = 0
  for i = 0, n - 1 do
    if not parse_token(kind, next_token(self), p, i) then break end
    got = got + 1
  end
  if self._autoSpacing then skip_newline(self) end
  return got
end

local numbuf = ffi.new("char[64]")

-- C's printf, as Torch7 prints (LuaJIT's own %g rounds ties differently); whole numbers
-- below 2^53 print the same either way and take the fast path
local function format_number(kind, v)
  if kind.int then
    return sformat("%d", v)
  end
  if kind.half then v = half_to_float(v) else v = tonumber(v) end
  local limit = kind.single and 1e9 or 1e15 -- %.9g / %.17g switch to exponents beyond
  if v == floor(v) and v > -limit and v < limit and (v ~= 0 or 1 / v > 0) then
    return sformat("%d", v)
  end
  local len = C.snprintf(numbuf, 64, kind.fmt, v)
  return ffi.string(numbuf, len)
end

function File:_writeArray(kind, ptr, n)
  if n <= 0 then return 0 end
  if self._binary then
    if kind.long and self._longSize == 4 then
      local tmp = ffi.new("int32_t[?]", n)
      local p = ffi.cast("int64_t*", ptr)
      for i = 0, n - 1 do tmp[i] = p[i] end
      if self._swap then swap_bytes(tmp, 4, n) end
      return floor(self:_write(tmp, 4 * n) / 4)
    end
    if self._swap and kind.size > 1 then
      local tmp = kind.array(n)
      ffi.copy(tmp, ptr, kind.size * n)
      swap_bytes(tmp, kind.size, n)
      ptr = tmp
    end
    return floor(self:_write(ptr, kind.size * n) / kind.size)
  end
  if kind.raw then
    local put = self:_write(ptr, n)
    if self._autoSpacing then self:_write("\n", 1) end
    return put
  end
  local p = ffi.cast(kind.ptr, ptr)
  local parts = {}
  for i = 0, n - 1 do parts[i + 1] = format_number(kind, p[i]) end
  local s = concat(parts, self._autoSpacing and " " or "")
  if self._autoSpacing then s = s .. "\n" end
  self:_write(s, #s)
  return n
end

---------------------------------------------------------------------------------------------
-- the Lua-level read/write methods: readInt(), readInt(n), readInt(storage), writeInt(x|storage)

local function storage_class(kind)
  return rawget(torch, kind.name .. "Storage")
end

local function is_storage_of(kind, v)
  return torch.typename(v) == "torch." .. kind.name .. "Storage"
end

-- a pointer to a storage's elements and the object that keeps them alive; torch.serialize
-- replaces it to reach HalfStorage, whose elements Lua has no type for
File.elementPointer = function(storage) return storage:data(), storage end

local anchor -- keeps the last element pointer's owner alive across the copy

local function to_lua(kind, v)
  if kind.half then return half_to_float(v) end
  return tonumber(v)
end

for name, kind in pairs(KINDS) do
  File["read" .. name] = function(self, arg)
    check_readable(self)
    local pos = self:_tell()
    if arg == nil then
      local got = self:_readArray(kind, kind.scratch, 1)
      if got ~= 1 then read_failed(self, got, 1, pos); return 0 end
      return to_lua(kind, kind.scratch[0])
    elseif type(arg) == "number" then
      if arg < 0 or arg ~= floor(arg) then error("read" .. name .. ": invalid element count", 2) end
      local cls = storage_class(kind)
      local buf, result
      if cls then
        result = cls(arg)
        buf, anchor = File.elementPointer(result, kind)
      else
        buf = kind.array(arg)
      end
      local got = self:_readArray(kind, buf, arg)
      if got ~= arg then read_failed(self, got, arg, pos) end
      if not cls then
        result = {}
        for i = 0, arg - 1 do result[i + 1] = to_lua(kind, buf[i]) end
      end
      return result
    elseif is_storage_of(kind, arg) then
      local n = arg:size()
      local ptr
      ptr, anchor = File.elementPointer(arg, kind)
      local got = self:_readArray(kind, ptr, n)
      if got ~= n then read_failed(self, got, n, pos) end
      return got
    end
    error("nothing, number, or Storage expected", 2)
  end

  File["write" .. name] = function(self, arg)
    check_writable(self)
    local n, ptr
    if type(arg) == "number" then
      n, ptr = 1, kind.scratch
      if kind.half then ptr[0] = float_to_half(arg) else ptr[0] = arg end
    elseif is_storage_of(kind, arg) then
      n = arg:size()
      ptr, anchor = File.elementPointer(arg, kind)
    elseif type(arg) == "string" and kind.raw then
      n, ptr = #arg, arg
    elseif type(arg) == "table" and not getmetatable(arg) then
      n = #arg
      ptr = kind.array(n)
      for i = 1, n do
        if kind.half then ptr[i - 1] = float_to_half(arg[i]) else ptr[i - 1] = arg[i] end
      end
    else
      error("number, or Storage expected", 2)
    end
    local put = self:_writeArray(kind, ptr, n)
    if put ~= n then write_failed(self, put, n) end
    return put
  end
end

function File:writeBool(value)
  return self:writeInt(value and 1 or 0)
end

function File:readBool()
  return self:readInt() == 1
end

--- readString('*a' | '*l'): the rest of the file, or one line without its '\n'
function File:readString(format)
  check_readable(self)
  if type(format) ~= "string" or not (format:sub(1, 2) == "*a" or format:sub(1, 2) == "*l") then
    error("format must be '*a' or '*l'", 2)
  end
  local pos = self:_tell()
  if format:sub(2, 2) == "a" then
    local parts, chunk = {}, ffi.new("uint8_t[65536]")
    while true do
      local got = self:_read(chunk, 65536)
      if got > 0 then parts[#parts + 1] = ffi.string(chunk, got) end
      if got < 65536 then break end
    end
    local s = concat(parts)
    if #s == 0 then read_failed(self, 0, 1, pos) end
    return s
  end
  local c = self:_getc()
  if c < 0 then read_failed(self, 0, 1, pos); return "" end
  local buf, cap, n = ffi.new("uint8_t[256]"), 256, 0
  while c >= 0 and c ~= 10 do
    if n == cap then
      local grown = ffi.new("uint8_t[?]", cap * 2)
      ffi.copy(grown, buf, n)
      buf, cap = grown, cap * 2
    end
    buf[n] = c
    n = n + 1
    c = self:_getc()
  end
  return ffi.string(buf, n)
end

--- writeString(str): the raw bytes, no length and no newline
function File:writeString(str)
  check_writable(self)
  if type(str) ~= "string" then error("string expected", 2) end
  local put = self:_write(str, #str)
  if put ~= #str then write_failed(self, put, #str) end
  return put
end

---------------------------------------------------------------------------------------------
-- strict reads for the object layer: never quiet, errors name the byte offset

function File:_readStrict(kind, ptr, n, what)
  local pos = self:_tell()
  local got = self:_readArray(kind, ptr, n)
  if got ~= n then
    self:_corrupt(pos, sformat("expected %s (%d %s value%s), got %d", what, n, kind.name,
      n == 1 and "" or "s", got))
  end
end

function File:_readIntStrict(what)
  self:_readStrict(K_INT, K_INT.scratch, 1, what)
  return K_INT.scratch[0]
end

function File:_readLongStrict(what)
  self:_readStrict(K_LONG, K_LONG.scratch, 1, what)
  return tonumber(K_LONG.scratch[0])
end

function File:_readDoubleStrict(what)
  self:_readStrict(K_DOUBLE, K_DOUBLE.scratch, 1, what)
  return K_DOUBLE.scratch[0]
end

--- an element count read from the file, refused when negative, beyond 2^40, or larger than
--- what the rest of the file can hold (each element needs at least minBytes bytes)
function File:_checkCount(pos, n, minBytes, what)
  if n < 0 then self:_corrupt(pos, sformat("negative %s %d", what, n)) end
  if n > MAX_ELEMENTS then
    self:_corrupt(pos, sformat("%s %d exceeds the 2^40 limit", what, n))
  end
  local rem = self:_remaining()
  if rem and n * minBytes > rem then
    self:_corrupt(pos, sformat("%s %d needs at least %d bytes but only %d remain", what, n,
      n * minBytes, rem))
  end
  return n
end

local strbuf, strbuf_size = ffi.new("uint8_t[4096]"), 4096

-- Int length + raw bytes, as STRING payloads, version strings and bytecode are stored
function File:_readStringStrict(what, maxLen)
  local pos = self:_tell()
  local n = self:_readIntStrict("the length of " .. what)
  if maxLen and n > maxLen then
    self:_corrupt(pos, sformat("%s of %d bytes is longer than %d", what, n, maxLen))
  end
  self:_checkCount(pos, n, 1, "length of " .. what)
  if n == 0 then return "" end
  if n > strbuf_size then
    strbuf_size = math.max(n, strbuf_size * 2)
    strbuf = ffi.new("uint8_t[?]", strbuf_size)
  end
  self:_readStrict(K_CHAR, strbuf, n, what)
  return ffi.string(strbuf, n)
end


---------------------------------------------------------------------------------------------
-- the object layer

local function env_of(self)
  local env = rawget(self, "_env")
  if not env then
    env = { writeObjects = {}, writeObjectsRef = {}, nWriteObject = 0, readObjects = {},
            force = false, objectNameStack = {}, upvalueIds = {}, nUpvalueId = 0,
            readUpvalueIds = {}, depth = 0 }
    self._env = env
  end
  return env
end

--- referenced(false): every object is written in full and nothing is memoized on read
function File:referenced(ref)
  env_of(self).force = not ref
  return self
end

function File:isReferenced()
  local env = rawget(self, "_env")
  return not (env and env.force)
end

-- a class method, looked up as Torch7 does: '__name' first, then 'name'
local function metamethod(obj, name)
  local mt = getmetatable(obj)
  if type(mt) ~= "table" then return nil end
  local ok, f = pcall(function() return mt["__" .. name] or mt[name] end)
  if ok and type(f) == "function" then return f end
  return nil
end

local function classfield(mt, name)
  local ok, v = pcall(function() return mt[name] end)
  if ok then return v end
  return nil
end

-- functions loaded from bytecode this VM cannot run (another LuaJIT build, PUC Lua):
-- the stand-in errors when called and keeps what is needed to write it back unchanged
local foreign_functions = setmetatable({}, { __mode = "k" })
local BYTECODE_VERSION = string.dump(function() end):byte(4)

function File.foreignFunctionInfo(f)
  return foreign_functions[f]
end

local function load_bytecode(self, bytecode, pos)
  if bytecode:sub(1, 1) ~= "\27" then
    self:_corrupt(pos, "function payload is not bytecode")
  end
  local foreign
  if bytecode:sub(1, 4) == "\27Lua" then
    foreign = sformat("PUC Lua %d.%d bytecode", rshift(bytecode:byte(5) or 0, 4), band(bytecode:byte(5) or 0, 15))
  elseif bytecode:sub(1, 3) == "\27LJ" and bytecode:byte(4) ~= BYTECODE_VERSION then
    foreign = sformat("LuaJIT bytecode version %d (this runtime reads version %d%s)",
      bytecode:byte(4) or -1, BYTECODE_VERSION,
      BYTECODE_VERSION == 2 and ", LuaJIT 2.1 GC64" or "")
  end
  if foreign then
    local info = { bytecode = bytecode, reason = foreign }
    local f = function()
      error("cannot run a function loaded from a .t7 file: it holds " .. info.reason, 2)
    end
    foreign_functions[f] = info
    return f, info
  end
  local f, err = loadstring(bytecode)
  if not f then self:_corrupt(pos, "failed to load function from bytecode: " .. tostring(err)) end
  return f, nil
end

local function is_writable(self, object)
  local t = type(object)
  if t ~= "boolean" and not object then return TYPE_NIL end
  local name = torch.typename(object)
  if name then
    local mt = getmetatable(object)
    if rawget(mt, "__t7name") or torch.factory(name) or classfield(mt, "__t7read") then
      return TYPE_TORCH
    end
  end
  if t == "table" then return TYPE_TABLE end
  if t == "number" then return TYPE_NUMBER end
  if t == "string" then return TYPE_STRING end
  if t == "boolean" then return TYPE_BOOLEAN end
  if t == "function" and (foreign_functions[object] or pcall(string.dump, object)) then
    return TYPE_RECUR_FUNCTION
  end
  return nil
end
File.isWritableObject = is_writable

local UPVALUES_TOKEN = {}

local function name_stack(stack)
  local parts = {}
  for i, v in ipairs(stack) do
    if v ~= UPVALUES_TOKEN and stack[i - 1] ~= UPVALUES_TOKEN then parts[#parts + 1] = tostring(v) end
  end
  return concat(parts, ".")
end

local int_out = ffi.new("int32_t[1]")
local dbl_out = ffi.new("double[1]")

local function put_int(self, v)
  int_out[0] = v
  if self:_writeArray(K_INT, int_out, 1) ~= 1 then write_failed(self, 0, 1) end
end

local function put_double(self, v)
  dbl_out[0] = v
  if self:_writeArray(K_DOUBLE, dbl_out, 1) ~= 1 then write_failed(self, 0, 1) end
end

local function put_string(self, s)
  put_int(self, #s)
  if #s > 0 and self:_writeArray(K_CHAR, s, #s) ~= #s then write_failed(self, 0, #s) end
end
File._putInt, File._putString = put_int, put_string

-- A Lua stack holds about 3000 nested objects; every DEEP_HOP levels the recursion moves
-- onto a fresh coroutine stack, so deep graphs are limited by memory, not by one stack.
local DEEP_HOP = 1000
-- a hostile file must not nest its way through all memory
File.maxReadDepth = 1000000
local co_create, co_resume = coroutine.create, coroutine.resume

local function deep_call(fn, ...)
  local co = co_create(fn)
  local res = { co_resume(co, ...) }
  if not res[1] then error(res[2], 0) end
  return res[2]
end

local write_object, read_object

--- writeObject(obj [, debugname] [, hook]): one tagged object; hook(obj) may replace what is
--- written (the memo still keys on the original)
function File:writeObject(object, debugname, hook)
  check_writable(self)
  local env = env_of(self)
  local depth = env.depth + 1
  env.depth = depth
  if depth % DEEP_HOP == 0 then
    deep_call(write_object, self, env, object, debugname, hook)
  else
    write_object(self, env, object, debugname, hook)
  end
  env.depth = depth - 1
end

function write_object(self, env, object, debugname, hook)
  local original = object
  if hook then object = hook(object) end

  if type(object) ~= "boolean" and not object then
    put_int(self, TYPE_NIL)
    return
  end

  local stack = env.objectNameStack
  stack[#stack + 1] = debugname or "<?>"

  local typeidx = is_writable(self, object)
  if not typeidx then
    local where = name_stack(stack)
    env.objectNameStack = {}
    error(sformat("Unwritable object <%s> at %s", type(object), where), 2)
  end
  put_int(self, typeidx)

  if typeidx == TYPE_NUMBER then
    put_double(self, object)
  elseif typeidx == TYPE_BOOLEAN then
    put_int(self, object and 1 or 0)
  elseif typeidx == TYPE_STRING then
    put_string(self, object)
  else
    local key = original
    local mt = getmetatable(original)
    if typeidx == TYPE_TORCH and type(mt) == "table" then
      local keyfn = classfield(mt, "__t7key")
      if keyfn then key = keyfn(original) end
    end
    local objects = env.writeObjects
    local index = objects[key]
    if index and not env.force then
      put_int(self, index)
    else
      index = env.nWriteObject + 1
      env.nWriteObject = index
      if not env.force then
        objects[key] = index
        env.writeObjectsRef[key] = original
      end
      put_int(self, index)
      if typeidx == TYPE_RECUR_FUNCTION then
        self:_writeFunction(object, env, hook)
      elseif typeidx == TYPE_TORCH then
        self:_writeTorch(object, hook)
      else
        local size = 0
        for _ in pairs(object) do size = size + 1 end
        put_int(self, size)
        for k, v in pairs(object) do
          self:writeObject(k, nil, hook)
          local name = (type(k) == "string" or type(k) == "number") and tostring(k) or nil
          if stack[#stack - 1] == UPVALUES_TOKEN and name == "value" and type(object.name) == "string" then
            name = object.name
          end
          self:writeObject(v, name, hook)
        end
      end
    end
  end
  stack[#stack] = nil
end

function File:_writeFunction(object, env, hook)
  local info = foreign_functions[object]
  local bytecode, upvalues
  if info then
    bytecode, upvalues = info.bytecode, info.upvalues or {}
  else
    upvalues = {}
    local i = 1
    while true do
      local name, value = debug.getupvalue(object, i)
      if not name then break end
      if name == "_ENV" then value = nil end
      local entry = { name = name, value = value }
      local uid = debug.upvalueid and debug.upvalueid(object, i)
      if uid then
        local id = env.upvalueIds[uid]
        if not id then
          env.nUpvalueId = env.nUpvalueId + 1
          id = env.nUpvalueId
          env.upvalueIds[uid] = id
        end
        entry.id = id
      end
      upvalues[i] = entry
      i = i + 1
    end
    bytecode = string.dump(object)
  end
  put_string(self, bytecode)
  self:writeObject(upvalues, UPVALUES_TOKEN, hook)
end

-- set by torch.serialize: installs the tensor payloads once the tensor classes exist
File.prepareClasses = function() end

function File:_writeTorch(object, hook)
  File.prepareClasses()
  local mt = getmetatable(object)
  local className = rawget(mt, "__t7name") or torch.typename(object)
  local version = rawget(mt, "__t7version") or classfield(mt, "__version") or 1
  put_string(self, "V " .. tostring(version))
  put_string(self, className)
  local write = metamethod(object, "write")
  if write then
    write(object, self)
  elseif type(object) == "table" then
    local var = {}
    for k, v in pairs(object) do
      if is_writable(self, v) then
        var[k] = v
      else
        io.stderr:write(sformat("$ Warning: cannot write object field <%s> of <%s> %s\n",
          tostring(k), className, name_stack(env_of(self).objectNameStack)))
      end
    end
    self:writeObject(var, className, hook)
  else
    error(sformat("<%s> is a non-serializable Torch object", className), 3)
  end
end

---------------------------------------------------------------------------------------------
-- reading

--- how a class name read from a file becomes an object. Returns a handler table:
---   construct(file, version, className) -> obj   (reads the payload, memoized afterwards)
--- or new() -> empty instance, with optional read(obj, file, version) (defaults to the
--- class's own read method, else one table of fields) and finish(obj) -> final object.
--- torch.serialize replaces this with its alias and placeholder policy.
function File.defaultResolveClass(className)
  local mt = torch.getmetatable(className)
  if not mt then return nil end
  local construct = classfield(mt, "__t7read")
  if construct then return { construct = construct } end
  local factory = torch.factory(className)
  if factory then return { new = factory } end
  return nil
end
File.resolveClass = File.defaultResolveClass

local function read_fields(self, object, className)
  local pos = self:_tell()
  local var = self:readObject()
  if type(var) ~= "table" then
    self:_corrupt(pos, sformat("expected the table of fields of a <%s>, got a %s", className, type(var)))
  end
  for k, v in pairs(var) do object[k] = v end
end
File._readFields = read_fields

--- readObject(): one tagged object
function File:readObject()
  check_readable(self)
  local env = env_of(self)
  local depth = env.depth + 1
  if depth > File.maxReadDepth then
    env.depth = 0
    self:_corrupt(self:_tell(), "objects nested more than " .. File.maxReadDepth .. " levels deep")
  end
  env.depth = depth
  local object
  if depth % DEEP_HOP == 0 then
    object = deep_call(read_object, self, env)
  else
    object = read_object(self, env)
  end
  env.depth = depth - 1
  return object
end

function read_object(self, env)
  local force = env.force
  local pos = self:_tell()
  local typeidx = self:_readIntStrict("an object type tag")

  if typeidx == TYPE_NIL then
    return nil
  elseif typeidx == TYPE_NUMBER then
    return self:_readDoubleStrict("a number")
  elseif typeidx == TYPE_BOOLEAN then
    return self:_readIntStrict("a boolean") == 1
  elseif typeidx == TYPE_STRING then
    return self:_readStringStrict("a string")
  elseif typeidx == TYPE_FUNCTION then
    local bpos = self:_tell()
    local f, info = load_bytecode(self, self:_readStringStrict("function bytecode"), bpos)
    local upvalues = self:readObject()
    self:_setUpvalues(f, info, upvalues, true, bpos)
    return f
  elseif typeidx == TYPE_TABLE or typeidx == TYPE_TORCH or typeidx == TYPE_RECUR_FUNCTION
      or typeidx == LEGACY_TYPE_RECUR_FUNCTION then
    local index = self:_readIntStrict("an object reference id")
    local objects = env.readObjects
    if not force then
      local known = objects[index]
      if known ~= nil then return known end
    end

    if typeidx == TYPE_RECUR_FUNCTION or typeidx == LEGACY_TYPE_RECUR_FUNCTION then
      local bpos = self:_tell()
      local f, info = load_bytecode(self, self:_readStringStrict("function bytecode"), bpos)
      if not force then objects[index] = f end
      local upvalues = self:readObject()
      self:_setUpvalues(f, info, upvalues, typeidx == LEGACY_TYPE_RECUR_FUNCTION, bpos)
      return f
    elseif typeidx == TYPE_TORCH then
      return self:_readTorch(index, pos)
    else
      local npos = self:_tell()
      local size = self:_readIntStrict("a table size")
      -- each pair is at least two type tags
      self:_checkCount(npos, size, self._binary and 8 or 4, "table size")
      local object = {}
      if not force then objects[index] = object end
      for _ = 1, size do
        local kpos = self:_tell()
        local k = self:readObject()
        local v = self:readObject()
        if k == nil or k ~= k then
          self:_corrupt(kpos, "table key is " .. tostring(k))
        end
        object[k] = v
      end
      return object
    end
  end
  self:_corrupt(pos, sformat("unknown object type tag %d (expected 0 to 8)", typeidx))
end

function File:_setUpvalues(f, info, upvalues, legacy, pos)
  if upvalues == nil then upvalues = {} end
  if type(upvalues) ~= "table" then
    self:_corrupt(pos, "expected the table of upvalues of a function, got a " .. type(upvalues))
  end
  if info then
    info.upvalues, info.legacy = upvalues, legacy
    return
  end
  local env = env_of(self)
  for i, uv in ipairs(upvalues) do
    if legacy then
      debug.setupvalue(f, i, uv)
    else
      if type(uv) ~= "table" then self:_corrupt(pos, "malformed upvalue entry " .. i) end
      if uv.name ~= "_ENV" then debug.setupvalue(f, i, uv.value) end
      if uv.id ~= nil and debug.upvaluejoin then
        local prev = env.readUpvalueIds[uv.id]
        if prev then
          local ok = pcall(debug.upvaluejoin, f, i, prev[1], prev[2])
          if not ok then self:_corrupt(pos, "cannot join upvalue " .. i) end
        else
          env.readUpvalueIds[uv.id] = { f, i }
        end
      end
    end
  end
end

function File:_readTorch(index, pos)
  local env = env_of(self)
  local vpos = self:_tell()
  local version = self:_readStringStrict("a version string or class name", MAX_NAME)
  local versionNumber = tonumber(version:match("^V (.*)$"))
  local className
  if not versionNumber then
    className, versionNumber = version, 0 -- written before versions existed
  else
    vpos = self:_tell()
    className = self:_readStringStrict("a class name", MAX_NAME)
  end
  File.prepareClasses()
  local handler = File.resolveClass(className, versionNumber, self)
  if not handler then
    error(sformat("unknown Torch class <%s> (at byte offset %d)", className, vpos), 0)
  end
  local objects = env.readObjects
  local object
  if handler.construct then
    object = handler.construct(self, versionNumber, className)
  else
    object = handler.new()
    if not env.force then objects[index] = object end
    local read = handler.read or metamethod(object, "read")
    if read then
      read(object, self, versionNumber)
    elseif type(object) == "table" then
      read_fields(self, object, className)
    else
      error(sformat("Cannot load object class <%s>", className), 0)
    end
  end
  if handler.finish then object = handler.finish(object) end
  if not env.force then objects[index] = object end
  return object
end

---------------------------------------------------------------------------------------------
-- abstract primitives

local function abstract(name)
  return function() error("torch.File:" .. name .. " is not implemented by this file class", 2) end
end
for _, name in ipairs { "_isOpen", "_read", "_write", "_getc", "_ungetc", "_tell", "_seekTo",
  "_seekEnd", "_length", "_close", "_sync" } do
  if rawget(File, name) == nil then File[name] = abstract(name) end
end

return File
