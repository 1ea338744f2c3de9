-- torch.DiskFile(path, 'r'|'w'|'rw' [, quiet]): a torch.File on C stdio. Like Torch7 it
-- starts in ascii mode; torch.save/torch.load switch to binary.
local ffi = require "ffi"
local torch = require "torch.env"
require "torch.File"
require "torch.FileObject"

local C = ffi.C
local error, type, tostring, setmetatable = error, type, tostring, setmetatable

for _, decl in ipairs {
  "typedef struct _IO_FILE FILE;",
  "FILE *fopen(const char *path, const char *mode);",
  "int fclose(FILE *f);",
  "size_t fread(void *ptr, size_t size, size_t n, FILE *f);",
  "size_t fwrite(const void *ptr, size_t size, size_t n, FILE *f);",
  "int fgetc(FILE *f);",
  "int ungetc(int c, FILE *f);",
  "int fflush(FILE *f);",
  "int fseeko(FILE *f, int64_t offset, int whence);",
  "int64_t ftello(FILE *f);",
  "int setvbuf(FILE *f, char *buf, int mode, size_t size);",
  "char *strerror(int errnum);",
} do pcall(ffi.cdef, decl) end

local SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
local IONBF = 2

local function open_mode(mode)
  if mode == "r" then return true, false end
  if mode == "w" then return false, true end
  if mode == "rw" then return true, true end
  return nil
end

local function new_diskfile(mt, path, mode, quiet)
  mode = mode or "r"
  if type(path) ~= "string" then error("torch.DiskFile: file name expected", 2) end
  local readable, writable = open_mode(mode)
  if readable == nil then error("file mode should be 'r','w' or 'rw'", 2) end
  local fp
  if readable and writable then
    fp = C.fopen(path, "r+b")
    if fp == nil then
      fp = C.fopen(path, "wb")
      if fp ~= nil then
        C.fclose(fp)
        fp = C.fopen(path, "r+b")
      end
    end
  else
    fp = C.fopen(path, readable and "rb" or "wb")
  end
  if fp == nil then
    if quiet then return nil end
    error(string.format("cannot open <%s> in mode %s%s (%s)", path, readable and "r" or " ",
      writable and "w" or " ", ffi.string(C.strerror(ffi.errno()))), 2)
  end
  local self = setmetatable({}, mt)
  self:_initFile(readable, writable, quiet)
  self._fp = ffi.gc(fp, C.fclose)
  self._name = path
  self._pos = 0            -- tracked here: ftello may cost a system call per object
  self._lastop = nil       -- stdio needs a seek between a read and a write
  return self
end

local DiskFile = torch.getmetatable("torch.DiskFile")
  or torch.newmetatable("torch.DiskFile", "torch.File", new_diskfile)

local function switch(self, op)
  if self._lastop ~= op then
    if self._lastop then C.fseeko(self._fp, 0, SEEK_CUR) end
    self._lastop = op
  end
end

function DiskFile:_isOpen() return self._fp ~= nil end

function DiskFile:_read(ptr, n)
  switch(self, "r")
  local got = tonumber(C.fread(ptr, 1, n, self._fp))
  self._pos = self._pos + got
  return got
end

function DiskFile:_write(ptr, n)
  switch(self, "w")
  local put = tonumber(C.fwrite(ptr, 1, n, self._fp))
  self._pos = self._pos + put
  self._length_cache = nil
  return put
end

function DiskFile:_getc()
  switch(self, "r")
  local c = C.fgetc(self._fp)
  if c >= 0 then self._pos = self._pos + 1 end
  return c
end

function DiskFile:_ungetc(c)
  C.ungetc(c, self._fp)
  self._pos = self._pos - 1
end

function DiskFile:_tell() return self._pos end

function DiskFile:_seekTo(pos)
  if C.fseeko(self._fp, pos, SEEK_SET) ~= 0 then return false end
  self._pos = pos
  self._lastop = nil
  return true
end

function DiskFile:_seekEnd()
  if C.fseeko(self._fp, 0, SEEK_END) ~= 0 then
    self._hasError = true
    if not self._quiet then error("unable to seek at end of file", 3) end
    return
  end
  self._pos = tonumber(C.ftello(self._fp))
  self._lastop = nil
end

function DiskFile:_length()
  if self._length_cache and not self._writable then return self._length_cache end
  local fp = self._fp
  C.fflush(fp)
  if C.fseeko(fp, 0, SEEK_END) ~= 0 then return nil end
  local len = tonumber(C.ftello(fp))
  C.fseeko(fp, self._pos, SEEK_SET)
  self._lastop = nil
  self._length_cache = len
  return len
end

function DiskFile:_sync() C.fflush(self._fp) end

function DiskFile:_close()
  local fp = self._fp
  self._fp = nil
  ffi.gc(fp, nil)
  C.fclose(fp)
end

function DiskFile:name() return self._name end

function DiskFile:noBuffer()
  if self._fp == nil then error("attempt to use a closed file", 2) end
  if C.setvbuf(self._fp, nil, IONBF, 0) ~= 0 then error("error: cannot disable buffer", 2) end
  return self
end

local little = ffi.abi("le")

function DiskFile.isLittleEndianCPU() return little end
function DiskFile.isBigEndianCPU() return not little end
function DiskFile:nativeEndianEncoding() self._swap = false; return self end
function DiskFile:littleEndianEncoding() self._swap = not little; return self end
function DiskFile:bigEndianEncoding() self._swap = little; return self end

return DiskFile
