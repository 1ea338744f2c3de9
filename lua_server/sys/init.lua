-- sys: Torch7's small system toolbox (clock, tic/toc, execute, sleep, uname, COLORS, ...),
-- with libsys's C parts (clock, usleep) through the FFI. `require 'sys'` sets the global
-- `sys`, as Torch7's module() did.
local ffi = require "ffi"
local paths = require "paths"

local C = ffi.C
local io, os, type, error, tostring = io, os, type, error, tostring

ffi.cdef [[
  struct sys_timeval { long tv_sec; long tv_usec; };
  int gettimeofday(struct sys_timeval *tv, void *tz);
  int usleep(unsigned int usec);
]]

local sys = rawget(_G, "sys") or {}
rawset(_G, "sys", sys)

local now = ffi.new("struct sys_timeval")

--- wall-clock seconds since the epoch, with microseconds (libsys's clock)
function sys.clock()
  C.gettimeofday(now, nil)
  return tonumber(now.tv_sec) + tonumber(now.tv_usec) * 1e-6
end

function sys.usleep(microseconds)
  if type(microseconds) ~= "number" then error("sys.usleep: a number of microseconds expected", 2) end
  C.usleep(math.max(0, math.floor(microseconds)))
end

function sys.sleep(seconds)
  sys.usleep(seconds * 1000000)
end

-- tic/toc keep one start time, as Matlab's and Torch7's did
local started = sys.clock()
function sys.tic()
  started = sys.clock()
end

function sys.toc(verbose)
  local elapsed = sys.clock() - started
  if verbose then print(elapsed) end
  return elapsed
end

local function trim(s)
  return (s:gsub("^%s*", ""):gsub("%s*$", ""))
end

--- run a shell command; its stdout and stderr as one trimmed string
function sys.execute(cmd)
  if type(cmd) ~= "string" then error("sys.execute: a command string expected", 2) end
  local f = io.popen(cmd .. " 2>&1")
  local out = f:read("*a")
  f:close()
  return trim(out)
end

--- the same through a temporary file (Torch7 kept it for systems where popen misbehaves)
function sys.fexecute(cmd)
  if type(cmd) ~= "string" then error("sys.fexecute: a command string expected", 2) end
  local tmp = os.tmpname()
  os.execute(cmd .. " 1>" .. tmp .. " 2>" .. tmp)
  local f = assert(io.open(tmp))
  local out = f:read("*a")
  f:close()
  os.remove(tmp)
  return trim(out)
end

--- 'linux', 'macos', 'windows' or '?'
function sys.uname()
  if paths.dirp("C:\\") then return "windows" end
  local name = paths.uname()
  if name:find("Linux") then return "linux" end
  if name:find("Darwin") then return "macos" end
  return "?"
end
sys.OS = sys.uname()

local function lister(flags)
  return function(dir) return sys.execute("ls " .. flags .. (dir or " ")) end
end
sys.ls, sys.ll, sys.la, sys.lla = lister(""), lister("-l "), lister("-a "), lister("-la ")

-- the prefix Torch7 was installed in; ours is the directory above bin/th
sys.prefix = paths.dirname(paths.install_bin)

--- the directory and the name of the calling file
function sys.fpath()
  local source = debug.getinfo(2, "S").source:gsub("^@", "")
  if source:sub(1, 1) ~= "/" then source = paths.concat(paths.cwd(), source) end
  return paths.dirname(source), paths.basename(source)
end

--- split(str, pattern): the pieces between matches; an empty first piece is dropped
function sys.split(str, pattern)
  local pieces, last_end = {}, 1
  local s, e, cap = str:find("(.-)" .. pattern, 1)
  while s do
    if s ~= 1 or cap ~= "" then pieces[#pieces + 1] = cap end
    last_end = e + 1
    s, e, cap = str:find("(.-)" .. pattern, last_end)
  end
  if last_end <= #str then pieces[#pieces + 1] = str:sub(last_end) end
  return pieces
end

function sys.isNaN(x)
  return x ~= x
end

sys.COLORS = {
  none = "\27[0m",
  black = "\27[0;30m", red = "\27[0;31m", green = "\27[0;32m", yellow = "\27[0;33m",
  blue = "\27[0;34m", magenta = "\27[0;35m", cyan = "\27[0;36m", white = "\27[0;37m",
  Black = "\27[1;30m", Red = "\27[1;31m", Green = "\27[1;32m", Yellow = "\27[1;33m",
  Blue = "\27[1;34m", Magenta = "\27[1;35m", Cyan = "\27[1;36m", White = "\27[1;37m",
  _black = "\27[40m", _red = "\27[41m", _green = "\27[42m", _yellow = "\27[43m",
  _blue = "\27[44m", _magenta = "\27[45m", _cyan = "\27[46m", _white = "\27[47m",
}

-- kept by Torch7 for backward compatibility
sys.dirname = paths.dirname
sys.concat = paths.concat
sys.filep = paths.filep
sys.dirp = paths.dirp

return sys
