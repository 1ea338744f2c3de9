-- The user's own Lua files, shipped by the client (lua.load_file, lua.require_file): they
-- run under their real chunk names, so errors and tracebacks say `MyLayer.lua:17`, and a
-- class they define may be defined again when the file is loaded again after an edit.
local torch = require "torch"

local type, pairs, rawget, rawset, getmetatable, error = type, pairs, rawget, rawset, getmetatable, error
local select, loadstring = select, loadstring

local M = {}

local user_sources = {}   -- chunk source ("@MyLayer.lua") -> true
local user_classes = {}   -- class name -> true for classes first defined by a user's file

-- Metamethods torch.class installs itself: a redefinition keeps them (they forward to the
-- new __tostring__, __call__ ...); everything else in the class is the user's and goes.
local INSTALLED = {
  __typename = true, __version = true, __index = true, __newindex = true,
  __tostring = true, __call = true, __len = true, __add = true, __sub = true, __mul = true,
  __div = true, __mod = true, __unm = true, __concat = true, __eq = true, __lt = true,
  __le = true, __pow = true,
}

-- The class keeps its metatable, so objects made from the old code see the new methods.
local function redefine(mt, parent_name)
  local parent
  if parent_name then
    parent = torch.getmetatable(parent_name)
    if not parent then error("parent class " .. tostring(parent_name) .. " not found", 3) end
  end
  for k in pairs(mt) do
    if not INSTALLED[k] then rawset(mt, k, nil) end
  end
  rawset(mt, "__index", mt)     -- an __index__ hook of the old code is gone until redefined
  rawset(mt, "__newindex", nil)
  rawset(getmetatable(mt), "__index", parent)
  return mt, parent
end

local original_class = torch.class

function torch.class(name, parent_name, module)
  if type(name) == "string" then
    local mt = torch.getmetatable(name)
    if mt and user_classes[name] then
      return redefine(mt, type(parent_name) == "string" and parent_name or nil)
    end
    local caller = debug.getinfo(2, "S")
    if not mt and caller and user_sources[caller.source] then user_classes[name] = true end
  end
  return original_class(name, parent_name, module)  -- a tail call: its errors blame our caller
end

local function need_string(req, field)
  local v = req[field]
  if type(v) ~= "string" then
    error({ ename = "ProtocolError", evalue = req.op .. " request needs a string field '" .. field .. "'" }, 0)
  end
  return v
end

local function compile(code, chunkname)
  local source = "@" .. chunkname
  local f, err = loadstring(code, source)
  if not f then error({ ename = "LuaSyntaxError", evalue = err }, 0) end
  user_sources[source] = true
  return f
end

local function pack(...)
  return { n = select("#", ...), ... }
end

-- load_chunk {code, chunkname}: run a file's text as that file; its results come back.
function M.load_chunk(_, req)
  local f = compile(need_string(req, "code"), need_string(req, "chunkname"))
  return pack(f())
end

-- preload {modules = {name = {code, chunkname}}, require = name}: make each module what
-- `require(name)` runs next (replacing an earlier load), then require one of them.
function M.preload(_, req)
  local modules = req.modules
  if type(modules) ~= "table" then
    error({ ename = "ProtocolError", evalue = "preload request needs a map 'modules'" }, 0)
  end
  local compiled = {}
  for name, m in pairs(modules) do  -- compile all first: a syntax error installs nothing
    if type(name) ~= "string" or type(m) ~= "table" then
      error({ ename = "ProtocolError", evalue = "preload modules map names to {code, chunkname}" }, 0)
    end
    compiled[name] = compile(need_string(m, "code"), need_string(m, "chunkname"))
  end
  for name, f in pairs(compiled) do
    package.loaded[name] = nil
    package.preload[name] = f
  end
  if type(req.require) == "string" then return pack(require(req.require)) end
  return pack()
end

return M
