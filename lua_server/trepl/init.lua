-- trepl: the parts of Torch7's REPL that `th` scripts see (its print, setprintlevel, import,
-- who, the relative require) and the interactive loop itself. `require 'trepl'` installs the
-- globals and returns the function that runs the loop, as Torch7's module did.
local col = require "trepl.colorize"

local type, tostring, pairs, select, next = type, tostring, pairs, select, next
local io, string, table = io, string, table

local print_old = rawget(_G, "print_old") or print
rawset(_G, "print_old", print_old)

-- "DoubleTensor - size: 2x3", "FloatStorage - size: 4", "DoubleTensor - empty"
local function sizestr(x, name)
  local short = name:match("torch%.(.+)")
  if name:find("torch.*Storage") then return short .. " - size: " .. x:size() end
  if x:nDimension() == 0 then return short .. " - empty" end
  local dims = {}
  for i = 1, x:nDimension() do dims[i] = x:size(i) end
  return short .. " - size: " .. table.concat(dims, "x")
end

local function colorize(value, nested)
  local t = type(value)
  if value == nil then return col.Black("nil") end
  if t == "number" then return col.cyan(tostring(value)) end
  if t == "boolean" then return col.blue(tostring(value)) end
  if t == "string" then
    if nested then return col.Black('"') .. col.green(value) .. col.Black('"') end
    return col.none(value)
  end
  if t == "function" then return col.magenta(tostring(value)) end
  if t == "userdata" or t == "cdata" then
    local name = torch and torch.typename(value) or nil
    if name and (name:find("torch.*Tensor") or name:find("torch.*Storage")) then
      return col.red(sizestr(value, name))
    end
    return col.red(tostring(value))
  end
  if t == "table" then return col.green(tostring(value)) end
  return col._black(tostring(value))
end

local depth_limit = 4

local function rawprint(o)
  io.write(tostring(o or ""), "\n")
  io.flush()
end

-- a table as trepl showed it: one `key : value` a line, nested tables indented by 4
local function print_table(t, depth)
  local indent = string.rep(" ", depth * 4)
  if next(t) == nil then
    rawprint(indent .. "{}")
    return
  end
  rawprint(indent .. "{")
  for k, v in pairs(t) do
    if type(v) == "table" then
      if depth >= depth_limit - 1 or next(v) == nil then
        rawprint(indent .. "  " .. tostring(k) .. " : {...}")
      else
        rawprint(indent .. "  " .. tostring(k) .. " : ")
        print_table(v, depth + 1)
      end
    else
      rawprint(indent .. "  " .. tostring(k) .. " : " .. colorize(v, true))
    end
  end
  rawprint(indent .. "}")
end

--- Torch7's th print: scalars tab-separated (each followed by a tab), tables laid out,
--- objects with __tostring and userdata on lines of their own
function print_new(...)
  local n = select("#", ...)
  for i = 1, n do
    local obj = select(i, ...)
    if type(obj) ~= "table" then
      if type(obj) == "userdata" or type(obj) == "cdata" then
        rawprint(obj)
      else
        io.write(colorize(obj), "\t")
        if i == n then rawprint() end
      end
    elseif getmetatable(obj) and getmetatable(obj).__tostring then
      rawprint(obj)
    else
      print_table(obj, 0)
    end
  end
end

--- setprintlevel(n): how deep print lays tables out; 0 restores Lua's print
function setprintlevel(n)
  if type(n) ~= "number" or n < 0 then error("expected number [0,+)", 2) end
  depth_limit = math.floor(n)
  if depth_limit == 0 then _G.print = print_old else _G.print = print_new end
end
setprintlevel(5)

--- import('nn'): a package's names as globals (existing globals win unless `forced`)
function import(name, forced)
  local result = require(name)
  local symbols = rawget(_G, name)
  if type(symbols) ~= "table" then symbols = type(result) == "table" and result or {} end
  _G._torchimport = _G._torchimport or {}
  _G._torchimport[name] = symbols
  for k, v in pairs(symbols) do
    if rawget(_G, k) == nil or forced then _G[k] = v end
  end
end

-- require './file' loads relative to the calling file (.lua, then .t7/.th/.net/.json files),
-- and a plain name that require cannot find is tried next to the calling file, as in trepl
local plain_require = require

local function load_relative(name, source)
  local paths = plain_require "paths"
  local dir = paths.filep(source) and paths.dirname(source) or "."
  local base = paths.concat(dir, name)
  local function exists(f) return paths.filep(f) and f end
  local file = exists(base .. ".lua")
  if file then return dofile(file) end
  for _, ext in ipairs({ "", ".th", ".net", ".t7", ".json" }) do
    file = exists(base .. ext)
    local kind = file and file:match("%.(%w+)$")
    if kind == "th" or kind == "t7" then return torch.load(file) end
    if kind == "net" then plain_require "nn"; return torch.load(file) end
    if kind == "json" then
      local f = assert(io.open(file))
      local text = f:read("*a")
      f:close()
      return plain_require("cjson").decode(text)
    end
    if file and ext == "" then return dofile(file) end
  end
  return dofile(paths.concat(base, "init.lua"))
end

local function relative_require(name)
  if type(name) ~= "string" then return plain_require(name) end
  local source = debug.getinfo(2, "S").source:gsub("^@", "")
  if name:find("^%.") then return load_relative(name, source) end
  local ok, result = pcall(plain_require, name)
  if ok then return result end
  local ok2, nearby = pcall(load_relative, "./" .. name, source)
  if ok2 then return nearby end
  error(result, 2)
end
rawset(_G, "require", relative_require)

local function describe(value)
  local t = type(value)
  if t == "userdata" then
    local name = torch and torch.typename(value) or ""
    if name:find("torch.*Tensor") or name:find("torch.*Storage") then return sizestr(value, name) end
    return tostring(value)
  elseif t == "table" then
    if torch and torch.type(value) ~= "table" then return torch.type(value) end
    return "table - size: " .. #value
  elseif t == "string" then
    local shown = value:gsub("\n", "\\n")
    if #shown > 40 then shown = shown:sub(1, 40) .. "..." end
    return 'string : "' .. shown .. '"'
  end
  return tostring(value)
end

--- who(): the user's globals (and with `system`, those present at start-up)
function who(system)
  local width = 0
  for k in pairs(_G) do width = math.max(width, #tostring(k)) end
  local preloaded = rawget(_G, "_preloaded_") or {}
  local function list(want_system)
    for k, v in pairs(_G) do
      if (preloaded[k] ~= nil) == want_system then
        local name = "[" .. tostring(k) .. "]"
        print(name .. string.rep(" ", width - #name + 2) .. " = " .. describe(v))
      end
    end
  end
  if system then
    print("== System Variables ==")
    list(true)
  end
  print("== User Variables ==")
  list(false)
  print("==")
end

--- monitor_G([cb | strict]): report globals created or read undeclared (th -g, -gg).
--- cb(name, 'newindex' | 'index') is called instead when given; strict raises errors.
function monitor_G(cb)
  local strict = false
  if type(cb) == "boolean" then strict, cb = cb, nil end
  -- Penlight's lazy globals are loaded now, since the monitor replaces their loader
  for _, name in ipairs({ "stringx", "tablex", "path", "dir", "text" }) do
    rawset(_G, name, plain_require("pl." .. name))
  end
  local created = {}
  for k in pairs(_G) do created[k] = true end
  local function report(what, key)
    local info = debug.getinfo(3, "Sl")
    local where = col.yellow("[C-module]")
    if info and info.currentline > 0 then
      where = col.magenta((info.source:gsub("^@", ""))) .. ":" .. col.green(tostring(info.currentline))
    end
    local message = col.red(what) .. col.blue(tostring(key)) .. " @ " .. where
    if strict then error(message, 3) end
    print(message)
  end
  setmetatable(_G, {
    __newindex = function(G, key, value)
      if not created[key] then
        if cb then cb(key, "newindex") else report("created global variable: ", key) end
      end
      created[key] = true
      rawset(G, key, value)
    end,
    __index = function(_, key)
      if cb then cb(key, "index") else report("attempt to read undeclared variable: ", key) end
    end,
  })
end

return require "trepl.repl"
