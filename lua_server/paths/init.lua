-- paths: Torch7's file-name and directory package, on Debian's lfs. Same names, same
-- results as torch/paths on a POSIX system: concat always yields an absolute path from the
-- current directory, dirname/basename follow paths.c (not POSIX dirname(1)), failures
-- return nil plus a message. `require 'paths'` also sets the global `paths`, as Torch7's did.
local lfs = require "lfs"
local ffi = require "ffi"

local type, error, ipairs, select, tostring = type, error, ipairs, select, tostring
local os, io, debug = os, io, debug

local paths = rawget(_G, "paths") or {}
rawset(_G, "paths", paths)

local function check_string(value, fname, pos)
  if type(value) == "number" then return tostring(value) end
  if type(value) ~= "string" then
    error(("bad argument #%d to '%s' (string expected, got %s)"):format(pos or 1, fname, type(value)), 3)
  end
  return value
end

local function mode_of(path)
  return lfs.attributes(path, "mode")
end

--- true when `path` exists and is not a directory (as stat + !S_IFDIR)
function paths.filep(path)
  path = check_string(path, "filep")
  local mode = mode_of(path)
  return mode ~= nil and mode ~= "directory"
end

function paths.dirp(path)
  path = check_string(path, "dirp")
  return mode_of(path) == "directory"
end

-- index of the last slash that is followed by a non-slash character, or nil
local function last_inner_slash(name)
  local at
  for i = 1, #name - 1 do
    if name:byte(i) == 47 and name:byte(i + 1) ~= 47 then at = i end
  end
  return at
end

--- the last component of `path`, without `suffix` (".lua" or "lua") when it ends with it
function paths.basename(path, suffix)
  path = check_string(path, "basename")
  local start = last_inner_slash(path)
  local base = path:sub(start and start + 1 or 1):match("^[^/]*")
  if suffix == nil or suffix == "" then return base end
  suffix = check_string(suffix, "basename", 2):gsub("^%.", "")
  if suffix ~= "" and #base > #suffix and base:sub(-#suffix - 1) == "." .. suffix then
    base = base:sub(1, -#suffix - 2)
  end
  return base
end

--- everything before the last component; "." for a bare name, the name itself for "/..."
function paths.dirname(path)
  path = check_string(path, "dirname")
  local at = last_inner_slash(path)
  if not at then
    if path:sub(1, 1) == "/" then return path end
    return "."
  end
  return path:sub(1, math.max(at - 1, 1))
end

--- the text after the last dot, or nil
function paths.extname(path)
  path = check_string(path, "extname")
  return path:match("%.([^.]*)$")
end

function paths.cwd()
  return lfs.currentdir() or "."
end

-- apply one name to an absolute directory: "." is skipped, ".." drops a component
local function join(from, name)
  local parts = {}
  if name:sub(1, 1) ~= "/" then
    for part in from:gmatch("[^/]+") do parts[#parts + 1] = part end
  end
  for part in name:gmatch("[^/]+") do
    if part == ".." then
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return "/" .. table.concat(parts, "/")
end

--- concat(a, b, ...): an absolute, normalized path, starting at the current directory
function paths.concat(...)
  local result = paths.cwd()
  for i = 1, select("#", ...) do
    result = join(result, check_string(select(i, ...), "concat", i))
  end
  return result
end

--- the entries of a directory (with "." and ".."), or nil when it cannot be read
function paths.dir(path)
  path = check_string(path, "dir")
  if mode_of(path) ~= "directory" then return nil end
  local ok, iter, state = pcall(lfs.dir, path)
  if not ok then return nil end
  local names = {}
  for name in iter, state do names[#names + 1] = name end
  return names
end

--- an iterator over the entries of paths.dir(path); nothing when it cannot be read
function paths.files(path, include)
  if include ~= nil and type(include) ~= "string" and type(include) ~= "function" then
    error("Expecting optional arg 2 to be function or string. Got : " .. type(include), 2)
  end
  local names = paths.dir(path) or {}
  local i = 0
  return function()
    while true do
      i = i + 1
      local name = names[i]
      if name == nil then return nil end
      if include == nil or (type(include) == "function" and include(name))
          or (type(include) == "string" and name:find(include)) then
        return name
      end
    end
  end
end

local function iter_of(path, want)
  local names = paths.dir(path) or {}
  local i = 0
  return function()
    while true do
      i = i + 1
      local name = names[i]
      if name == nil then return nil end
      if name ~= "." and name ~= ".." and want(path .. "/" .. name) then return name end
    end
  end
end

--- an iterator over the subdirectories of `path`, without "." and ".."
function paths.iterdirs(path)
  return iter_of(check_string(path, "iterdirs"), paths.dirp)
end

--- an iterator over the files of `path`
function paths.iterfiles(path)
  return iter_of(check_string(path, "iterfiles"), paths.filep)
end

local function errno_result(path)
  local errno = ffi.errno()
  return nil, path .. ": " .. ffi.string(ffi.C.strerror(errno)), errno
end
ffi.cdef [[
  char *strerror(int errnum);
  int mkdir(const char *path, unsigned int mode);
  int rmdir(const char *path);
]]

--- mkdir(path): creates missing parents as well; true, or nil, message, errno
function paths.mkdir(path)
  path = check_string(path, "mkdir")
  local parent = paths.dirname(path)
  if not paths.dirp(parent) then paths.mkdir(parent) end
  if ffi.C.mkdir(path, tonumber("777", 8)) == 0 then return true end
  return errno_result(path)
end

function paths.rmdir(path)
  path = check_string(path, "rmdir")
  if ffi.C.rmdir(path) == 0 then return true end
  return errno_result(path)
end

--- rmall(path, 'yes'): removes a file or a whole tree; the 'yes' guards against accidents
function paths.rmall(path, confirm)
  if confirm ~= "yes" then return nil, "missing second argument ('yes')" end
  if paths.filep(path) then return os.remove(path) end
  if not paths.dirp(path) then return nil, "not a file or directory", path end
  for name in paths.files(path) do
    if name ~= "." and name ~= ".." then
      local child = paths.concat(path, name)
      local ok, err = paths.rmall(child, confirm)
      if not ok then return ok, err, child end
    end
  end
  return paths.rmdir(path)
end

-- names from tmpname are removed when the Lua state closes, as Torch7's were
local temporary = {}
local sweeper = newproxy(true)
getmetatable(sweeper).__gc = function()
  for name in pairs(temporary) do os.remove(name) end
end
paths._tmpname_sweeper = sweeper

--- a fresh temporary file name, deleted at exit if it was created
function paths.tmpname()
  local name = os.tmpname()
  temporary[name] = true
  return name
end

ffi.cdef [[
  struct paths_utsname { char sysname[65], nodename[65], release[65], version[65],
                         machine[65], domainname[65]; };
  int uname(struct paths_utsname *buf);
]]

--- uname() -> system name, node name, machine ("Linux", host, "x86_64")
function paths.uname()
  local info = ffi.new("struct paths_utsname")
  if ffi.C.uname(info) < 0 then return "Unknown" end
  return ffi.string(info.sysname), ffi.string(info.nodename), ffi.string(info.machine)
end

function paths.is_win()
  return paths.uname():match("Windows")
end

function paths.is_mac()
  return paths.uname():match("Darwin")
end

function paths.getregistryvalue()
  error("This function exists only on windows", 2)
end

paths.home = os.getenv("HOME") or "."
paths.sep = "/"

function paths.is_msdos()
  return false
end

--- the directory holding the interpreter: our `th` (lua_server/bin)
function paths.execdir()
  return paths.install_bin
end

--- the file calling it (or a file `name` next to it), from debug info `depth` levels up
function paths.thisfile(name, depth)
  local info = debug.getinfo(depth or 2, "S")
  local source = info and info.source
  if type(source) ~= "string" then
    source = nil
  elseif source:sub(1, 1) == "@" then
    source = paths.concat(source:sub(2))
  end
  if type(name) == "string" then
    if source then return paths.concat(paths.dirname(source), name) end
    return name
  end
  return source
end

--- dofile(f) relative to the directory of the calling file
function paths.dofile(file, depth)
  local caller = paths.thisfile(nil, 1 + (depth or 2))
  if caller and caller ~= "" then file = paths.concat(paths.dirname(caller), file) end
  return dofile(file)
end

--- the first of the named programs found on $PATH, or nil
function paths.findprogram(...)
  local search = os.getenv("PATH") or "."
  for _, exe in ipairs({ ... }) do
    for dir in search:gmatch("[^:]+") do
      local candidate = paths.concat(dir, exe)
      if paths.filep(candidate) then return candidate end
    end
  end
  return nil
end

--- require a C module by package.cpath with its symbols global (RTLD_GLOBAL), as paths.c
function paths.require(name)
  name = check_string(name, "require")
  if package.loaded[name] then return package.loaded[name] end
  local file, err = package.searchpath(name, package.cpath)
  if not file then error("module '" .. name .. "' not found" .. err, 2) end
  local open = package.loadlib(file, "*")  -- "*" links the library globally
  if not open then error("cannot load '" .. file .. "'", 2) end
  local loader = package.loadlib(file, "luaopen_" .. name:gsub("%.", "_"))
  if not loader then error("no symbol 'luaopen_" .. name .. "' in module '" .. file .. "'", 2) end
  package.loaded[name] = true
  local result = loader(name)
  if result ~= nil then package.loaded[name] = result end
  return package.loaded[name]
end

require("paths.install").define(paths)

return paths
