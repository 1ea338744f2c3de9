-- torch.PipeFile(command, 'r'|'w' [, quiet]): a torch.DiskFile on the standard output (mode
-- 'r') or standard input (mode 'w') of a shell command, through popen(3), as Torch7's.
-- It reads and writes like a DiskFile; it cannot seek, and closing it waits for the command.
local ffi = require "ffi"
local torch = require "torch.env"
require "torch.DiskFile"

local C = ffi.C
local error, type = error, type

for _, decl in ipairs {
  "FILE *popen(const char *command, const char *type);",
  "int pclose(FILE *f);",
} do pcall(ffi.cdef, decl) end

local function new_pipefile(mt, command, mode, quiet)
  mode = mode or "r"
  if type(command) ~= "string" then error("torch.PipeFile: command string expected", 2) end
  if mode ~= "r" and mode ~= "w" then error("file mode should be 'r','w'", 2) end
  local fp = C.popen(command, mode)
  if fp == nil then
    if quiet then return nil end
    error(string.format("cannot open <%s> in mode %s.  This might be because eg the executable "
      .. "doesn't exist, but it could also be because you are out of memory.", command,
      mode == "r" and "r " or " w"), 2)
  end
  local self = setmetatable({}, mt)
  self:_initFile(mode == "r", mode == "w", quiet)
  self._fp = ffi.gc(fp, C.pclose)
  self._name = command
  self._pos = 0
  self._lastop = nil
  return self
end

local PipeFile = torch.getmetatable("torch.PipeFile")
  or torch.newmetatable("torch.PipeFile", "torch.DiskFile", new_pipefile)

-- a pipe has no length the file could check counts against
function PipeFile:_length() return nil end

function PipeFile:_close()
  local fp = self._fp
  self._fp = nil
  ffi.gc(fp, nil)
  C.pclose(fp)
end

return PipeFile
