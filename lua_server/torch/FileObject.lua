-- The .t7 object layer of torch.File (File.lua has the scalar encodings): the tagged,
-- memoized grammar of readObject/writeObject (see shared/docs/t7-format.md) - nil, numbers,
-- strings, booleans, tables with cycles and shared references, torch classes, and LuaJIT
-- functions with their upvalues.
local ffi = require "ffi"
local torch = require "torch.env"
local File = require "torch.File"

local type, error, pcall, tonumber, tostring, rawget = type, error, pcall, tonumber, tostring, rawget
local getmetatable, setmetatable, pairs, ipairs = getmetatable, setmetatable, pairs, ipairs
local sformat, concat = string.format, table.concat
local band, rshift = bit.band, bit.rshift

local T = File.TYPE
local TYPE_NIL, TYPE_NUMBER, TYPE_STRING, TYPE_TABLE, TYPE_TORCH = T.NIL, T.NUMBER, T.STRING, T.TABLE, T.TORCH
local TYPE_BOOLEAN, TYPE_FUNCTION, LEGACY_TYPE_RECUR_FUNCTION, TYPE_RECUR_FUNCTION =
  T.BOOLEAN, T.FUNCTION, T.LEGACY_RECUR_FUNCTION, T.RECUR_FUNCTION
local K_CHAR, K_INT, K_DOUBLE = File.KINDS.Char, File.KINDS.Int, File.KINDS.Double
local MAX_NAME = File.MAX_NAME
local check_readable, check_writable, write_failed =
  File._checks.readable, File._checks.writable, File._checks.write_failed

local function env_of(self)
  local env = rawget(self, "_env")
  if not env then
    env = { writeObjects = {}, writeObjectsRef = {}, nWriteObject = 0, readObjects = {},
            force = false, objectNameStack = {}, upvalueIds = {}, nUpvalueId = 0,
            readUpvalueIds = {}, depth = 0 }
    self._env = env
  end
  return env
end

--- referenced(false): every object is written in full and nothing is memoized on read
function File:referenced(ref)
  env_of(self).force = not ref
  return self
end

function File:isReferenced()
  local env = rawget(self, "_env")
  return not (env and env.force)
end

-- a class method, looked up as Torch7 does: '__name' first, then 'name'
local function metamethod(obj, name)
  local mt = getmetatable(obj)
  if type(mt) ~= "table" then return nil end
  local ok, f = pcall(function() return mt["__" .. name] or mt[name] end)
  if ok and type(f) == "function" then return f end
  return nil
end

local function classfield(mt, name)
  local ok, v = pcall(function() return mt[name] end)
  if ok then return v end
  return nil
end

-- functions loaded from bytecode this VM cannot run (another LuaJIT build, PUC Lua):
-- the stand-in errors when called and keeps what is needed to write it back unchanged
local foreign_functions = setmetatable({}, { __mode = "k" })
local BYTECODE_VERSION = string.dump(function() end):byte(4)

function File.foreignFunctionInfo(f)
  return foreign_functions[f]
end

local function load_bytecode(self, bytecode, pos)
  if bytecode:sub(1, 1) ~= "\27" then
    self:_corrupt(pos, "function payload is not bytecode")
  end
  local foreign
  if bytecode:sub(1, 4) == "\27Lua" then
    foreign = sformat("PUC Lua %d.%d bytecode", rshift(bytecode:byte(5) or 0, 4), band(bytecode:byte(5) or 0, 15))
  elseif bytecode:sub(1, 3) == "\27LJ" and bytecode:byte(4) ~= BYTECODE_VERSION then
    foreign = sformat("LuaJIT bytecode version %d (this runtime reads version %d%s)",
      bytecode:byte(4) or -1, BYTECODE_VERSION,
      BYTECODE_VERSION == 2 and ", LuaJIT 2.1 GC64" or "")
  end
  if foreign then
    local info = { bytecode = bytecode, reason = foreign }
    local f = function()
      error("cannot run a function loaded from a .t7 file: it holds " .. info.reason, 2)
    end
    foreign_functions[f] = info
    return f, info
  end
  local f, err = loadstring(bytecode)
  if not f then self:_corrupt(pos, "failed to load function from bytecode: " .. tostring(err)) end
  return f, nil
end

local function is_writable(self, object)
  local t = type(object)
  if t ~= "boolean" and not object then return TYPE_NIL end
  local name = torch.typename(object)
  if name then
    local mt = getmetatable(object)
    if rawget(mt, "__t7name") or torch.factory(name) or classfield(mt, "__t7read") then
      return TYPE_TORCH
    end
  end
  if t == "table" then return TYPE_TABLE end
  if t == "number" then return TYPE_NUMBER end
  if t == "string" then return TYPE_STRING end
  if t == "boolean" then return TYPE_BOOLEAN end
  if t == "function" and (foreign_functions[object] or pcall(string.dump, object)) then
    return TYPE_RECUR_FUNCTION
  end
  return nil
end
File.isWritableObject = is_writable

local UPVALUES_TOKEN = {}

local function name_stack(stack)
  local parts = {}
  for i, v in ipairs(stack) do
    if v ~= UPVALUES_TOKEN and stack[i - 1] ~= UPVALUES_TOKEN then parts[#parts + 1] = tostring(v) end
  end
  return concat(parts, ".")
end

local int_out = ffi.new("int32_t[1]")
local dbl_out = ffi.new("double[1]")

local function put_int(self, v)
  int_out[0] = v
  if self:_writeArray(K_INT, int_out, 1) ~= 1 then write_failed(self, 0, 1) end
end

local function put_double(self, v)
  dbl_out[0] = v
  if self:_writeArray(K_DOUBLE, dbl_out, 1) ~= 1 then write_failed(self, 0, 1) end
end

local function put_string(self, s)
  put_int(self, #s)
  if #s > 0 and self:_writeArray(K_CHAR, s, #s) ~= #s then write_failed(self, 0, #s) end
end
File._putInt, File._putString = put_int, put_string

-- A Lua stack holds about 3000 nested objects; every DEEP_HOP levels the recursion moves
-- onto a fresh coroutine stack, so deep graphs are limited by memory, not by one stack.
local DEEP_HOP = 1000
-- a hostile file must not nest its way through all memory
File.maxReadDepth = 1000000
local co_create, co_resume = coroutine.create, coroutine.resume

local function deep_call(fn, ...)
  local co = co_create(fn)
  local res = { co_resume(co, ...) }
  if not res[1] then error(res[2], 0) end
  return res[2]
end

local write_object, read_object

--- writeObject(obj [, debugname] [, hook]): one tagged object; hook(obj) may replace what is
--- written (the memo still keys on the original)
function File:writeObject(object, debugname, hook)
  check_writable(self)
  local env = env_of(self)
  local depth = env.depth + 1
  env.depth = depth
  if depth % DEEP_HOP == 0 then
    deep_call(write_object, self, env, object, debugname, hook)
  else
    write_object(self, env, object, debugname, hook)
  end
  env.depth = depth - 1
end

function write_object(self, env, object, debugname, hook)
  local original = object
  if hook then object = hook(object) end

  if type(object) ~= "boolean" and not object then
    put_int(self, TYPE_NIL)
    return
  end

  local stack = env.objectNameStack
  stack[#stack + 1] = debugname or "<?>"

  local typeidx = is_writable(self, object)
  if not typeidx then
    local where = name_stack(stack)
    env.objectNameStack = {}
    error(sformat("Unwritable object <%s> at %s", type(object), where), 2)
  end
  put_int(self, typeidx)

  if typeidx == TYPE_NUMBER then
    put_double(self, object)
  elseif typeidx == TYPE_BOOLEAN then
    put_int(self, object and 1 or 0)
  elseif typeidx == TYPE_STRING then
    put_string(self, object)
  else
    local key = original
    local mt = getmetatable(original)
    if typeidx == TYPE_TORCH and type(mt) == "table" then
      local keyfn = classfield(mt, "__t7key")
      if keyfn then key = keyfn(original) end
    end
    local objects = env.writeObjects
    local index = objects[key]
    if index and not env.force then
      put_int(self, index)
    else
      index = env.nWriteObject + 1
      env.nWriteObject = index
      if not env.force then
        objects[key] = index
        env.writeObjectsRef[key] = original
      end
      put_int(self, index)
      if typeidx == TYPE_RECUR_FUNCTION then
        self:_writeFunction(object, env, hook)
      elseif typeidx == TYPE_TORCH then
        self:_writeTorch(object, hook)
      else
        local size = 0
        for _ in pairs(object) do size = size + 1 end
        put_int(self, size)
        for k, v in pairs(object) do
          self:writeObject(k, nil, hook)
          local name = (type(k) == "string" or type(k) == "number") and tostring(k) or nil
          if stack[#stack - 1] == UPVALUES_TOKEN and name == "value" and type(object.name) == "string" then
            name = object.name
          end
          self:writeObject(v, name, hook)
        end
      end
    end
  end
  stack[#stack] = nil
end

function File:_writeFunction(object, env, hook)
  local info = foreign_functions[object]
  local bytecode, upvalues
  if info then
    bytecode, upvalues = info.bytecode, info.upvalues or {}
  else
    upvalues = {}
    local i = 1
    while true do
      local name, value = debug.getupvalue(object, i)
      if not name then break end
      if name == "_ENV" then value = nil end
      local entry = { name = name, value = value }
      local uid = debug.upvalueid and debug.upvalueid(object, i)
      if uid then
        local id = env.upvalueIds[uid]
        if not id then
          env.nUpvalueId = env.nUpvalueId + 1
          id = env.nUpvalueId
          env.upvalueIds[uid] = id
        end
        entry.id = id
      end
      upvalues[i] = entry
      i = i + 1
    end
    bytecode = string.dump(object)
  end
  put_string(self, bytecode)
  self:writeObject(upvalues, UPVALUES_TOKEN, hook)
end

-- set by torch.serialize: installs the tensor payloads once the tensor classes exist
File.prepareClasses = function() end

function File:_writeTorch(object, hook)
  File.prepareClasses()
  local mt = getmetatable(object)
  local className = rawget(mt, "__t7name") or torch.typename(object)
  local version = rawget(mt, "__t7version") or classfield(mt, "__version") or 1
  put_string(self, "V " .. tostring(version))
  put_string(self, className)
  local write = metamethod(object, "write")
  if write then
    write(object, self)
  elseif type(object) == "table" then
    local var = {}
    for k, v in pairs(object) do
      if is_writable(self, v) then
        var[k] = v
      else
        io.stderr:write(sformat("$ Warning: cannot write object field <%s> of <%s> %s\n",
          tostring(k), className, name_stack(env_of(self).objectNameStack)))
      end
    end
    self:writeObject(var, className, hook)
  else
    error(sformat("<%s> is a non-serializable Torch object", className), 3)
  end
end

---------------------------------------------------------------------------------------------
-- reading

--- how a class name read from a file becomes an object. Returns a handler table:
---   construct(file, version, className) -> obj   (reads the payload, memoized afterwards)
--- or new() -> empty instance, with optional read(obj, file, version) (defaults to the
--- class's own read method, else one table of fields) and finish(obj) -> final object.
--- torch.serialize replaces this with its alias and placeholder policy.
function File.defaultResolveClass(className)
  local mt = torch.getmetatable(className)
  if not mt then return nil end
  local construct = classfield(mt, "__t7read")
  if construct then return { construct = construct } end
  local factory = torch.factory(className)
  if factory then return { new = factory } end
  return nil
end
File.resolveClass = File.defaultResolveClass

local function read_fields(self, object, className)
  local pos = self:_tell()
  local var = self:readObject()
  if type(var) ~= "table" then
    self:_corrupt(pos, sformat("expected the table of fields of a <%s>, got a %s", className, type(var)))
  end
  for k, v in pairs(var) do object[k] = v end
end
File._readFields = read_fields

--- readObject(): one tagged object
function File:readObject()
  check_readable(self)
  local env = env_of(self)
  local depth = env.depth + 1
  if depth > File.maxReadDepth then
    env.depth = 0
    self:_corrupt(self:_tell(), "objects nested more than " .. File.maxReadDepth .. " levels deep")
  end
  env.depth = depth
  local object
  if depth % DEEP_HOP == 0 then
    object = deep_call(read_object, self, env)
  else
    object = read_object(self, env)
  end
  env.depth = depth - 1
  return object
end

function read_object(self, env)
  local force = env.force
  local pos = self:_tell()
  local typeidx = self:_readIntStrict("an object type tag")

  if typeidx == TYPE_NIL then
    return nil
  elseif typeidx == TYPE_NUMBER then
    return self:_readDoubleStrict("a number")
  elseif typeidx == TYPE_BOOLEAN then
    return self:_readIntStrict("a boolean") == 1
  elseif typeidx == TYPE_STRING then
    return self:_readStringStrict("a string")
  elseif typeidx == TYPE_FUNCTION then
    local bpos = self:_tell()
    local f, info = load_bytecode(self, self:_readStringStrict("function bytecode"), bpos)
    local upvalues = self:readObject()
    self:_setUpvalues(f, info, upvalues, true, bpos)
    return f
  elseif typeidx == TYPE_TABLE or typeidx == TYPE_TORCH or typeidx == TYPE_RECUR_FUNCTION
      or typeidx == LEGACY_TYPE_RECUR_FUNCTION then
    local index = self:_readIntStrict("an object reference id")
    local objects = env.readObjects
    if not force then
      local known = objects[index]
      if known ~= nil then return known end
    end

    if typeidx == TYPE_RECUR_FUNCTION or typeidx == LEGACY_TYPE_RECUR_FUNCTION then
      local bpos = self:_tell()
      local f, info = load_bytecode(self, self:_readStringStrict("function bytecode"), bpos)
      if not force then objects[index] = f end
      local upvalues = self:readObject()
      self:_setUpvalues(f, info, upvalues, typeidx == LEGACY_TYPE_RECUR_FUNCTION, bpos)
      return f
    elseif typeidx == TYPE_TORCH then
      return self:_readTorch(index, pos)
    else
      local npos = self:_tell()
      local size = self:_readIntStrict("a table size")
      -- each pair is at least two type tags
      self:_checkCount(npos, size, self._binary and 8 or 4, "table size")
      local object = {}
      if not force then objects[index] = object end
      for _ = 1, size do
        local kpos = self:_tell()
        local k = self:readObject()
        local v = self:readObject()
        if k == nil or k ~= k then
          self:_corrupt(kpos, "table key is " .. tostring(k))
        end
        object[k] = v
      end
      return object
    end
  end
  self:_corrupt(pos, sformat("unknown object type tag %d (expected 0 to 8)", typeidx))
end

function File:_setUpvalues(f, info, upvalues, legacy, pos)
  if upvalues == nil then upvalues = {} end
  if type(upvalues) ~= "table" then
    self:_corrupt(pos, "expected the table of upvalues of a function, got a " .. type(upvalues))
  end
  if info then
    info.upvalues, info.legacy = upvalues, legacy
    return
  end
  local env = env_of(self)
  for i, uv in ipairs(upvalues) do
    if legacy then
      debug.setupvalue(f, i, uv)
    else
      if type(uv) ~= "table" then self:_corrupt(pos, "malformed upvalue entry " .. i) end
      if uv.name ~= "_ENV" then debug.setupvalue(f, i, uv.value) end
      if uv.id ~= nil and debug.upvaluejoin then
        local prev = env.readUpvalueIds[uv.id]
        if prev then
          local ok = pcall(debug.upvaluejoin, f, i, prev[1], prev[2])
          if not ok then self:_corrupt(pos, "cannot join upvalue " .. i) end
        else
          env.readUpvalueIds[uv.id] = { f, i }
        end
      end
    end
  end
end

function File:_readTorch(index, pos)
  local env = env_of(self)
  local vpos = self:_tell()
  local version = self:_readStringStrict("a version string or class name", MAX_NAME)
  local versionNumber = tonumber(version:match("^V (.*)$"))
  local className
  if not versionNumber then
    className, versionNumber = version, 0 -- written before versions existed
  else
    vpos = self:_tell()
    className = self:_readStringStrict("a class name", MAX_NAME)
  end
  File.prepareClasses()
  local handler = File.resolveClass(className, versionNumber, self)
  if not handler then
    error(sformat("unknown Torch class <%s> (at byte offset %d)", className, vpos), 0)
  end
  local objects = env.readObjects
  local object
  if handler.construct then
    object = handler.construct(self, versionNumber, className)
  else
    object = handler.new()
    if not env.force then objects[index] = object end
    local read = handler.read or metamethod(object, "read")
    if read then
      read(object, self, versionNumber)
    elseif type(object) == "table" then
      read_fields(self, object, className)
    else
      error(sformat("Cannot load object class <%s>", className), 0)
    end
  end
  if handler.finish then object = handler.finish(object) end
  if not env.force then objects[index] = object end
  return object
end

return File
