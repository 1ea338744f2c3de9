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

-- Torch7's hook for per-thread state; one Lua state per process needs none
function torch.updatethreadlocals() end

return torch
