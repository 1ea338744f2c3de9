-- torch.save / torch.load / torch.serialize / torch.deserialize, and how class names found in
-- .t7 files become objects in this runtime: cudnn.X -> nn.X, Cuda* tensors and storages ->
-- their CPU type, nn.DataParallelTable -> its inner module, tds.Hash/tds.Vec payloads, and
-- a placeholder (torch.UnknownClass) for any other class the runtime does not have.
local torch = require "torch.env"
local File = require "torch.File"
require "torch.FileObject"
require "torch.DiskFile"
require "torch.MemoryFile"

local type, error, pcall, tostring, rawget, rawset = type, error, pcall, tostring, rawget, rawset
local getmetatable, setmetatable, pairs, next = getmetatable, setmetatable, pairs, next
local sformat = string.format

local M = {}

---------------------------------------------------------------------------------------------
-- placeholders for classes this runtime lacks

local Unknown = torch.getmetatable("torch.UnknownClass") or torch.class("torch.UnknownClass")
local placeholder_mts = {}

local function missing_method(name, key)
  return function()
    error(sformat("class '%s' is not available in this runtime (method '%s' called on a "
      .. "placeholder loaded from a .t7 file)", name, tostring(key)), 2)
  end
end

-- one metatable per missing class name and version; it reports itself as
-- torch.UnknownClass, remembers the real name for saving, and makes every method fail
local function placeholder_mt(name, version, payload)
  local key = name .. "\0" .. tostring(version)
  local mt = placeholder_mts[key]
  if mt then return mt end
  mt = {
    __typename = "torch.UnknownClass",
    __t7name = name,
    __t7version = version,
    __index = function(_, k)
      local v = Unknown[k]
      if v ~= nil then return v end
      if type(k) == "string" then return missing_method(name, k) end
      return nil
    end,
    __tostring = function() return sformat("<%s (class not available)>", name) end,
  }
  if payload then mt.read, mt.write = payload.read, payload.write end
  setmetatable(mt, { __index = Unknown })
  placeholder_mts[key] = mt
  return mt
end

--- the class name a placeholder stands for, or nil for any other value
function M.unknownClassName(obj)
  local mt = getmetatable(obj)
  if type(mt) == "table" and rawget(mt, "__typename") == "torch.UnknownClass" then
    return rawget(mt, "__t7name")
  end
  return nil
end
torch.unknownClassName = M.unknownClassName

-- tds containers write their own payloads (Long count, then objects)
local function read_count(file, what)
  local pos = file:_tell()
  local n = file:_readLongStrict(what)
  return file:_checkCount(pos, n, file:isBinary() and 4 or 2, what)
end

local tds_hash = {
  read = function(self, file)
    local n = read_count(file, "tds.Hash size")
    for _ = 1, n do
      local pos = file:_tell()
      local k = file:readObject()
      local v = file:readObject()
      if k == nil or k ~= k then file:_corrupt(pos, "tds.Hash key is " .. tostring(k)) end
      rawset(self, k, v)
    end
  end,
  write = function(self, file)
    local n = 0
    for _ in next, self do n = n + 1 end
    file:writeLong(n)
    for k, v in next, self do
      file:writeObject(k)
      file:writeObject(v)
    end
  end,
}

local tds_vec = {
  read = function(self, file)
    local n = read_count(file, "tds.Vec size")
    for i = 1, n do rawset(self, i, file:readObject()) end
  end,
  write = function(self, file)
    local n = 0
    for k in next, self do
      if type(k) == "number" and k > n then n = k end
    end
    file:writeLong(n)
    for i = 1, n do file:writeObject(rawget(self, i)) end
  end,
}

M.payloads = { ["tds.Hash"] = tds_hash, ["tds_hash"] = tds_hash, ["tds.Vec"] = tds_vec }

---------------------------------------------------------------------------------------------
-- class-name resolution on load

--- the class a name from a file is loaded as (a name of this runtime, or the name itself)
function M.aliasClass(className)
  local stem, kind = className:match("^torch%.Cuda(%a*)(Tensor)$")
  if not stem then stem, kind = className:match("^torch%.Cuda(%a*)(Storage)$") end
  if kind then
    if stem == "" then stem = "Float" end
    return "torch." .. stem .. kind
  end
  local cudnn = className:match("^cudnn%.(.+)$")
  if cudnn and torch.getmetatable("nn." .. cudnn) then return "nn." .. cudnn end
  return className
end

-- A model file names nn classes: load the package as `require 'nn'` would, so that
-- torch.load works without the caller requiring nn first (Torch7 needed that).
local AUTOLOAD = { nn = "nn", cudnn = "nn", cunn = "nn", optim = "optim" }
local function autoload(className)
  local package = AUTOLOAD[className:match("^(%a+)%.") or ""]
  if package and not torch.getmetatable(className) then pcall(require, package) end
end

local function resolve(className, version)
  autoload(className)
  local name = M.aliasClass(className)
  if name == "nn.DataParallelTable" then
    local mt = placeholder_mt(className, version)
    return {
      new = function() return setmetatable({}, mt) end,
      finish = function(obj)
        local modules = rawget(obj, "modules")
        local inner = type(modules) == "table" and rawget(modules, 1)
        return inner or obj
      end,
    }
  end
  local handler = File.defaultResolveClass(name)
  if handler then return handler end
  local mt = placeholder_mt(className, version, M.payloads[className])
  return { new = function() return setmetatable({}, mt) end }
end
File.resolveClass = resolve
M.resolveClass = resolve

---------------------------------------------------------------------------------------------
-- tensors: their payloads are installed once the tensor classes exist

local function ensure_tensor_support()
  local mt = torch.getmetatable("torch.FloatTensor")
  if mt and not rawget(mt, "__t7read") then
    require("torch.serialize_tensor").install(torch)
  end
end
M.ensureTensorSupport = ensure_tensor_support
File.prepareClasses = ensure_tensor_support
ensure_tensor_support()

---------------------------------------------------------------------------------------------
-- save / load

local MODES = { binary = true, ascii = true, b32 = true, b64 = true }

local function check_mode(mode, what)
  if mode ~= nil and not MODES[mode] then
    error(sformat("%s: mode must be 'binary', 'ascii', 'b32' or 'b64', got %s", what, tostring(mode)), 3)
  end
end

local function apply_mode(file, mode)
  if mode == nil or mode == "binary" then
    file:binary()
  elseif mode == "ascii" then
    file:ascii()
  elseif mode == "b32" then
    file:binary():longSize(4)
  else
    file:binary():longSize(8)
  end
end

local function check_referenced(referenced, what)
  if referenced ~= nil and referenced ~= true and referenced ~= false then
    error(what .. ": true or false (or nil) expected for referenced", 3)
  end
  return referenced ~= false
end

-- run fn(file); the file is closed whether or not fn raises
local function with_file(file, fn, prefix)
  local ok, result = pcall(fn, file)
  if file:_isOpen() then file:close() end
  if not ok then
    if prefix and type(result) == "string" then result = prefix .. result end
    error(result, 0)
  end
  return result
end

--- torch.save(path, obj [, 'binary'|'ascii'|'b32'|'b64'] [, referenced=true])
function M.save(path, object, mode, referenced)
  ensure_tensor_support()
  if type(path) ~= "string" then error("torch.save: file name expected", 2) end
  referenced = check_referenced(referenced, "torch.save")
  check_mode(mode, "torch.save")
  local file = torch.DiskFile(path, "w")
  apply_mode(file, mode)
  file:referenced(referenced)
  with_file(file, function(f) f:writeObject(object) end)
end

--- torch.load(path [, 'binary'|'ascii'|'b32'|'b64'] [, referenced=true])
function M.load(path, mode, referenced)
  ensure_tensor_support()
  if type(path) ~= "string" then error("torch.load: file name expected", 2) end
  referenced = check_referenced(referenced, "torch.load")
  check_mode(mode, "torch.load")
  local file = torch.DiskFile(path, "r")
  apply_mode(file, mode)
  file:referenced(referenced)
  return with_file(file, function(f) return f:readObject() end, path .. ": ")
end

--- torch.serialize(obj [, mode]): the bytes torch.save would write, as a Lua string
function M.serialize(object, mode)
  ensure_tensor_support()
  check_mode(mode, "torch.serialize")
  local file = torch.MemoryFile("w")
  apply_mode(file, mode)
  return with_file(file, function(f)
    f:writeObject(object)
    return f:string()
  end)
end

--- torch.deserialize(str [, mode]): one object from those bytes (a trailing NUL is ignored)
function M.deserialize(str, mode)
  ensure_tensor_support()
  if type(str) ~= "string" then error("torch.deserialize: string expected", 2) end
  check_mode(mode, "torch.deserialize")
  local file = torch.MemoryFile(str, "r")
  apply_mode(file, mode)
  return with_file(file, function(f) return f:readObject() end)
end

--- torch.serializeToStorage(obj [, mode]) / torch.deserializeFromStorage(storage [, mode])
function M.serializeToStorage(object, mode)
  ensure_tensor_support()
  check_mode(mode, "torch.serializeToStorage")
  local file = torch.MemoryFile("w")
  apply_mode(file, mode)
  return with_file(file, function(f)
    f:writeObject(object)
    return f:storage()
  end)
end

function M.deserializeFromStorage(storage, mode)
  local n = storage:size()
  local s = require("ffi").string(storage:data(), n)
  if n > 0 and s:byte(n) == 0 then s = s:sub(1, n - 1) end
  return M.deserialize(s, mode)
end

torch.save, torch.load = M.save, M.load
torch.serialize, torch.deserialize = M.serialize, M.deserialize
torch.serializeToStorage, torch.deserializeFromStorage = M.serializeToStorage, M.deserializeFromStorage
torch.saveobj, torch.loadobj = M.save, M.load

return M
