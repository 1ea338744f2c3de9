-- torch.class and the type registry, in Torch7's shape (luaT): every class has a
-- metatable holding its methods, registered by name, and a callable constructor table
-- placed in its namespace (`nn.Linear`), whose reads and writes go to the metatable.
local setmetatable, getmetatable, rawget, rawset = setmetatable, getmetatable, rawget, rawset
local type, error, tostring, select, rawequal = type, error, tostring, select, rawequal
local ctype_of = require("ffi").typeof

local M = {}
local registry = {}        -- name -> metatable
local constructors = {}    -- name -> constructor table
local constructor_names = setmetatable({}, {__mode = "k"})

-- Torch7 classes spell their metamethods with trailing underscores (__tostring__,
-- __call__, __add__ ...); the real metamethods forward to them along the parent chain.
local forwarded = {
  "__tostring", "__call", "__len", "__add", "__sub", "__mul", "__div", "__mod",
  "__unm", "__concat", "__eq", "__lt", "__le", "__pow",
}

-- plain indexing walks the parent chain through the metatables' own __index
local function lookup(mt, key) return mt[key] end

-- luaT's __call, __len and constructor calls are C functions that stay on the stack while the
-- Lua method runs; returning through pass() instead of a tail call keeps our forwarder's frame
-- there too, so debug.getinfo levels (nngraph's "declared at") match Torch7's.
local function pass(...) return ... end

local function install_index(mt)
  local index_hook = lookup(mt, "__index__")
  if type(index_hook) ~= "function" then
    rawset(mt, "__index", mt)
    return
  end
  -- like luaT: a class-level __index__ sees every key first; it returns (value, true)
  -- when it handled the key, anything else falls back to the methods
  rawset(mt, "__index", function(self, key)
    local value, handled = index_hook(self, key)
    if handled then return value end
    return mt[key]
  end)
end

local function install_newindex(mt)
  local hook = lookup(mt, "__newindex__")
  if type(hook) ~= "function" then
    rawset(mt, "__newindex", nil)
    return
  end
  rawset(mt, "__newindex", function(self, key, value)
    if not hook(self, key, value) then rawset(self, key, value) end
  end)
end

local function install_forwarders(mt)
  for _, name in ipairs(forwarded) do
    local torch_name = name .. "__"
    if name == "__tostring" then
      rawset(mt, name, function(self)
        local f = mt[torch_name]
        if f then return f(self) end
        return rawget(mt, "__typename")
      end)
    elseif name == "__call" or name == "__len" or name == "__unm" then
      rawset(mt, name, function(self, ...)
        local f = mt[torch_name]
        if not f then error("attempt to use " .. name:sub(3) .. " on a " .. mt.__typename, 2) end
        return pass(f(self, ...))
      end)
    else
      rawset(mt, name, function(a, b)
        local amt = getmetatable(a)
        local f = type(amt) == "table" and amt[torch_name]
        if not f then
          local bmt = getmetatable(b)
          f = type(bmt) == "table" and bmt[torch_name]
        end
        -- luaT compares objects without __eq__ by identity
        if not f and name == "__eq" then return rawequal(a, b) end
        if not f then error("no operator " .. name:sub(3) .. " for " .. mt.__typename, 2) end
        return f(a, b)
      end)
    end
  end
end

-- Writing a hook into a class after torch.class returned (Tensor defines __index__ late)
-- must take effect, as it does with luaT's run-time lookup.
local function watch_hooks(mt, parent)
  setmetatable(mt, {
    __index = parent,
    __newindex = function(t, key, value)
      rawset(t, key, value)
      if key == "__index__" then install_index(t) end
      if key == "__newindex__" then install_newindex(t) end
    end,
  })
end

local function split_namespace(name, module)
  local parts = {}
  for part in name:gmatch("[^%.]+") do parts[#parts + 1] = part end
  local ns = module or _G
  if not module then
    for i = 1, #parts - 1 do
      local t = ns[parts[i]]
      if t == nil then t = {}; ns[parts[i]] = t end
      ns = t
    end
  end
  return ns, parts[#parts]
end

-- `mt`, when given, is the metatable to use: userdata classes (tensors, storages) pass the
-- metatable of a newproxy prototype so that instances made with newproxy(proto) share it.
function M.newmetatable(name, parent_name, constructor, module, mt)
  if type(name) ~= "string" then error("class name must be a string", 3) end
  if registry[name] then error("class " .. name .. " already exists", 3) end
  local parent
  if parent_name then
    parent = registry[parent_name]
    if not parent then error("parent class " .. tostring(parent_name) .. " not found", 3) end
  end
  mt = mt or {}
  rawset(mt, "__typename", name)
  rawset(mt, "__version", 1)
  watch_hooks(mt, parent)
  install_forwarders(mt)
  install_index(mt)
  install_newindex(mt)
  registry[name] = mt

  local ctor = setmetatable({}, {
    __index = mt,
    __newindex = mt,
    __call = function(_, ...) return pass(constructor(mt, ...)) end,
    __tostring = function() return name end,
    __metatable = mt,  -- as luaT: getmetatable(nn.Linear) is the class metatable
  })
  constructors[name] = ctor
  constructor_names[ctor] = name
  -- luaT's fields, which real packages use: Class.new(...), the factory, the constructor table
  rawset(mt, "new", function(...) return constructor(mt, ...) end)
  rawset(mt, "__factory", function() return setmetatable({}, mt) end)
  rawset(mt, "__constructor", ctor)
  local ns, last = split_namespace(name, module)
  ns[last] = ctor
  return mt, parent, ctor
end

local function default_constructor(mt, ...)
  local obj = setmetatable({}, mt)
  local init = mt.__init
  if init then init(obj, ...) end
  return obj
end

--- torch.class(name [, parentName] [, module]) -> metatable, parent metatable
function M.class(name, parent_name, module)
  if type(parent_name) == "table" then module, parent_name = parent_name, nil end
  local mt, parent = M.newmetatable(name, parent_name, default_constructor, module)
  return mt, parent
end

function M.getmetatable(name)
  return registry[name]
end

function M.constructor(name)
  return constructors[name]
end

local metatype_names = setmetatable({}, {__mode = "k"})  -- metatables named by torch.metatype
-- cdata type id -> class name, for C structs named with torch.metatype (as luaT did)
M.cdata_names = {}

-- a class made outside torch.class (torch.metatype): getmetatable(name) finds mt, and
-- objects whose metatable is mt have type `name`
function M.register(name, mt)
  registry[name] = mt
  metatype_names[mt] = name
end

function M.typename(obj)
  if type(obj) == "cdata" then return M.cdata_names[tonumber(ctype_of(obj))] end
  local mt = getmetatable(obj)
  if type(mt) == "table" then
    local n = rawget(mt, "__typename")
    if n then return n end
    return metatype_names[mt]
  end
  return nil
end

function M.type(obj)
  return M.typename(obj) or type(obj)
end

function M.factory(name)
  local mt = registry[name]
  return mt and rawget(mt, "__factory") or nil
end

function M.setmetatable(obj, name)
  local mt = registry[name]
  if not mt then error("unknown class " .. tostring(name), 2) end
  return setmetatable(obj, mt)
end

-- isTypeOf(obj, 'nn.Module') is true for nn.Module and every subclass of it; a string
-- spec is a pattern ('torch.*Tensor')
function M.isTypeOf(obj, spec)
  if type(spec) == "table" then
    spec = constructor_names[spec] or rawget(spec, "__typename")
  end
  if type(spec) ~= "string" then error("isTypeOf: type must be a class name or class", 2) end
  local mt = getmetatable(obj)
  while type(mt) == "table" do
    local n = rawget(mt, "__typename")
    -- Torch7: the spec is a Lua pattern; a match that is the spec's own text (a plain
    -- name) must be the whole class name
    local match = n and n:match(spec)
    if n == spec or (match and (match ~= spec or match == n)) then return true end
    if n == nil then return false end
    local meta = getmetatable(mt)
    mt = meta and rawget(meta, "__index")
  end
  return false
end

-- parent metatable of a class metatable (used by isTypeOf and by nn's type conversion)
function M.getparent(mt)
  local meta = getmetatable(mt)
  return meta and rawget(meta, "__index")
end

return M
