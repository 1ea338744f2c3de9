-- Torch7's package helpers: torch.packageLuaPath, torch.include and the global include, which
-- packages built the Torch way (nn's own layout, dpnn, rnn, torchx, totem) use to load their
-- files; and a few luaT utilities Lua code calls.
local torch = require "torch.env"
local paths = require "paths"
local ffi = require "ffi"

local type, error, io, getmetatable = type, error, io, getmetatable

--- the directory of package `name` as package.path finds it; without a name, torch's parent
function torch.packageLuaPath(name)
  if name == nil then
    return (torch.packageLuaPath("torch") or ""):match("(.*)/")
  end
  for template in package.path:gmatch("[^;]+") do
    local file = template:gsub("%?", (name:gsub("%%", "%%%%")))
    local f = io.open(file)
    if f then
      f:close()
      return file:match("(.*)/")
    end
  end
  return nil
end

--- torch.include('dpnn', 'Module.lua'): runs a file of an installed package
function torch.include(package_name, file)
  if type(package_name) ~= "string" or type(file) ~= "string" then
    error("torch.include(package, file): two strings expected", 2)
  end
  local dir = torch.packageLuaPath(package_name)
  if not dir then error("torch.include: package '" .. package_name .. "' not found on package.path", 2) end
  return dofile(dir .. "/" .. file)
end

-- include('file.lua') runs a file next to the caller's, as Torch7 defined it globally
-- (not a tail call: the depth counts this frame)
rawset(_G, "include", function(file, depth)
  local result = paths.dofile(file, 3 + (depth or 0))
  return result
end)

--- torch.isequal(a, b): the same Torch object or table (luaT compares identities)
function torch.isequal(a, b)
  local ta = type(a)
  if (ta == "table" or ta == "userdata") and type(b) == ta then return rawequal(a, b) end
  return false
end

--- torch.totable(tensor or storage)
function torch.totable(obj)
  if (torch.isTensor and torch.isTensor(obj)) or (torch.isStorage and torch.isStorage(obj)) then
    return obj:totable()
  end
  error("obj must be a Storage or a Tensor", 2)
end

torch.metatype = require("torch.class").metatype

ffi.cdef [[ int isatty(int fd); ]]
--- torch.isatty(file): whether io.stdin/io.stdout/io.stderr is a terminal
function torch.isatty(file)
  local fd = (file == io.stdin and 0) or (file == io.stdout and 1) or (file == io.stderr and 2)
  if not fd then return false end
  return ffi.C.isatty(fd) == 1
end

-- Torch7's hooks for its C heap and threads; garbage collection here needs no help
function torch.setheaptracking() end
function torch.updateerrorhandlers() end
function torch.updatethreadlocals() end

--- torch.getenv(f) / torch.setenv(f, t): a function's environment (luaT's uservalue)
function torch.getenv(f)
  if type(f) ~= "function" and type(f) ~= "userdata" then
    error("bad argument #1 to 'getenv' (function or userdata expected)", 2)
  end
  return type(f) == "function" and getfenv(f) or {}
end

function torch.setenv(f, env)
  if type(f) ~= "function" then error("bad argument #1 to 'setenv' (function expected)", 2) end
  if type(env) ~= "table" then error("bad argument #2 to 'setenv' (table expected)", 2) end
  setfenv(f, env)
end

return torch
