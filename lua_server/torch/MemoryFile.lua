-- torch.MemoryFile([mode]), torch.MemoryFile(charStorage [, mode]) or
-- torch.MemoryFile(string, mode): a torch.File on a growing in-memory buffer. Like Torch7 it
-- starts in ascii mode, and storage() hands the contents back as a CharStorage ending in
-- one NUL byte; string() gives them without it.
local ffi = require "ffi"
local torch = require "torch.env"
require "torch.File"
require "torch.FileObject"

local C = ffi.C
local error, type, setmetatable, rawget = error, type, setmetatable, rawget
local max = math.max

for _, decl in ipairs {
  "void *malloc(size_t size);",
  "void *realloc(void *ptr, size_t size);",
  "void free(void *ptr);",
} do pcall(ffi.cdef, decl) end

local u8p = ffi.typeof("uint8_t*")

local function reserve(self, need)
  if need <= self._cap then return end
  local cap = max(need, self._cap * 2, 64)
  local old = self._buf
  ffi.gc(old, nil)
  local buf = ffi.cast(u8p, C.realloc(old, cap))
  if buf == nil then
    ffi.gc(old, C.free)
    error("MemoryFile: out of memory growing to " .. cap .. " bytes", 3)
  end
  self._buf = ffi.gc(buf, C.free)
  self._cap = cap
end

local function open_mode(mode)
  if mode == "r" then return true, false end
  if mode == "w" then return false, true end
  if mode == "rw" then return true, true end
  return nil
end

local function new_memoryfile(mt, a, b)
  local content, mode
  if type(a) == "string" and b == nil then
    mode = a -- one string is a mode, as in Torch7; contents come with an explicit mode
  else
    content, mode = a, b
  end
  mode = mode or "rw"
  local readable, writable = open_mode(mode)
  if readable == nil then error("file mode should be 'r','w' or 'rw'", 2) end

  local self = setmetatable({}, mt)
  self:_initFile(readable, writable, false)
  self._buf = ffi.gc(ffi.cast(u8p, C.malloc(64)), C.free)
  self._cap, self._size, self._pos = 64, 0, 0
  self._open = true

  if type(content) == "string" then
    reserve(self, #content)
    ffi.copy(self._buf, content, #content)
    self._size = #content
  elseif content ~= nil then
    local name = torch.typename(content)
    if name ~= "torch.CharStorage" then
      error("torch.MemoryFile: CharStorage, string or mode expected", 2)
    end
    local n = content:size()
    local data = ffi.cast(u8p, content:data())
    if n == 0 or data[n - 1] ~= 0 then
      error("provided CharStorage must be terminated by 0", 2)
    end
    reserve(self, n - 1)
    ffi.copy(self._buf, data, n - 1)
    self._size = n - 1
  end
  return self
end

local MemoryFile = torch.getmetatable("torch.MemoryFile")
  or torch.newmetatable("torch.MemoryFile", "torch.File", new_memoryfile)

function MemoryFile:_isOpen() return self._open end

function MemoryFile:_read(ptr, n)
  local got = self._size - self._pos
  if n < got then got = n end
  if got <= 0 then return 0 end
  ffi.copy(ptr, self._buf + self._pos, got)
  self._pos = self._pos + got
  return got
end

function MemoryFile:_write(ptr, n)
  if n <= 0 then return 0 end
  local stop = self._pos + n
  reserve(self, stop)
  ffi.copy(self._buf + self._pos, ptr, n)
  self._pos = stop
  if stop > self._size then self._size = stop end
  return n
end

function MemoryFile:_getc()
  local pos = self._pos
  if pos >= self._size then return -1 end
  self._pos = pos + 1
  return self._buf[pos]
end

function MemoryFile:_ungetc() self._pos = self._pos - 1 end
function MemoryFile:_tell() return self._pos end

function MemoryFile:_seekTo(pos)
  if pos > self._size then return false end
  self._pos = pos
  return true
end

function MemoryFile:_seekEnd() self._pos = self._size end
function MemoryFile:_length() return self._size end
function MemoryFile:_sync() end

function MemoryFile:_close()
  self._open = false
  local buf = self._buf
  self._buf = nil
  ffi.gc(buf, nil)
  C.free(buf)
  self._cap, self._size, self._pos = 0, 0, 0
end

--- string(): the contents as a Lua string (no trailing NUL)
function MemoryFile:string()
  if not self._open then error("attempt to use a closed file", 2) end
  return ffi.string(self._buf, self._size)
end

--- storage(): the contents as a CharStorage of size+1 whose last byte is NUL, as in Torch7
function MemoryFile:storage()
  if not self._open then error("attempt to use a closed file", 2) end
  local CharStorage = rawget(torch, "CharStorage")
  if not CharStorage then
    error("MemoryFile:storage() needs torch.CharStorage (require 'torch'); use :string()", 2)
  end
  local s = CharStorage(self._size + 1)
  local data = ffi.cast(u8p, s:data())
  ffi.copy(data, self._buf, self._size)
  data[self._size] = 0
  return s
end

function MemoryFile:longSize(n)
  if n ~= 0 and n ~= 4 and n ~= 8 then error("Invalid long size specified", 2) end
  self._longSize = n
  return self
end

return MemoryFile
