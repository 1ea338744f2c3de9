-- torch.File: Torch7's abstract file (THFile + File.lua). Subclasses (DiskFile, MemoryFile)
-- supply byte-level primitives; this class turns them into Torch7's binary and ascii
-- encodings of C scalars. The object grammar of .t7 files (readObject/writeObject) is in
-- FileObject.lua. Class-name policy (aliases, placeholders for missing classes) is
-- installed by torch.serialize through File.resolveClass.
--
-- Subclass primitives (all positions 0-based, counts in bytes):
--   _isOpen()  _read(ptr, n) -> got  _write(ptr, n) -> put  _getc() -> byte or -1
--   _ungetc(c)  _tell()  _seekTo(pos) -> ok  _seekEnd()  _length() -> n or nil
--   _close()  _sync()
local ffi = require "ffi"
local vla = require "aten.vla"  -- variable-length arrays the JIT may not sink (see there)
local torch = require "torch.env"
local cnumber = require "torch.cnumber"

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
  k.read = cnumber.reader(k.ctype)  -- (ptr, i) -> a Lua number, NaN canonical
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
      local tmp = vla.new("int32_t[?]", n)
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
      local tmp = vla.new("int32_t[?]", n)
      local p = ffi.cast("int64_t*", ptr)
      for i = 0, n - 1 do tmp[i] = p[i] end
      if self._swap then swap_bytes(tmp, 4, n) end
      return floor(self:_write(tmp, 4 * n) / 4)
    end
    if self._swap and kind.size > 1 then
      local tmp = vla.new(kind.array, n)
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
  for i = 0, n - 1 do parts[i + 1] = format_number(kind, kind.half and p[i] or kind.read(p, i)) end
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

local function to_lua(kind, ptr)
  if kind.half then return half_to_float(ptr[0]) end
  return kind.read(ptr, 0)
end

for name, kind in pairs(KINDS) do
  File["read" .. name] = function(self, arg)
    check_readable(self)
    local pos = self:_tell()
    if arg == nil then
      local got = self:_readArray(kind, kind.scratch, 1)
      if got ~= 1 then read_failed(self, got, 1, pos); return 0 end
      return to_lua(kind, kind.scratch)
    elseif type(arg) == "number" then
      if arg < 0 or arg ~= floor(arg) then error("read" .. name .. ": invalid element count", 2) end
      local cls = storage_class(kind)
      local buf, result
      if cls then
        result = cls(arg)
        buf, anchor = File.elementPointer(result, kind)
      else
        buf = vla.new(kind.array, arg)
      end
      local got = self:_readArray(kind, buf, arg)
      if got ~= arg then read_failed(self, got, arg, pos) end
      if not cls then
        result = {}
        for i = 0, arg - 1 do result[i + 1] = to_lua(kind, buf + i) end
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
      ptr = vla.new(kind.array, n)
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
      local grown = vla.new("uint8_t[?]", cap * 2)
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
  return K_DOUBLE.read(K_DOUBLE.scratch, 0)
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
    strbuf = vla.new("uint8_t[?]", strbuf_size)
  end
  self:_readStrict(K_CHAR, strbuf, n, what)
  return ffi.string(strbuf, n)
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

-- what the object layer (FileObject.lua) shares with this file
File.MAX_NAME = MAX_NAME
File._checks = { readable = check_readable, writable = check_writable, write_failed = write_failed }

return File
