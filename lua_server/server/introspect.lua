-- What a Python client needs to make a Lua object feel native (issue 11): its class chain,
-- method and field names (completion, help, AttributeError suggestions) and the text a
-- notebook displays, each in one request.
local torch = require "torch"

local type, pairs, getmetatable, rawget, tostring, pcall = type, pairs, getmetatable, rawget, tostring, pcall
local format, concat, sort = string.format, table.concat, table.sort
local mp = require "server.msgpack"

local M = {}

-- Display budget: Torch7's tostring prints every element; a notebook cell shows the first
-- rows of a large tensor and the true size, so that displaying a big tensor stays cheap.
local SHOW_ELEMENTS = 1000
local SHOW_VECTOR = 50

local MAX_CHAIN = 64

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

-- The tables a lookup of a missing key on obj walks, nearest first: the class, its parent
-- classes (torch.class keeps the parent in the metatable's own __index), or the plain
-- __index tables of an ordinary Lua metatable.
local function lookup_chain(obj)
  local chain, seen = {}, {}
  local mt = getmetatable(obj)
  if type(mt) ~= "table" then return chain end
  local index = rawget(mt, "__index")
  if type(index) ~= "table" and rawget(mt, "__typename") then index = mt end
  while type(index) == "table" and not seen[index] and #chain < MAX_CHAIN do
    seen[index] = true
    chain[#chain + 1] = index
    local meta = getmetatable(index)
    index = type(meta) == "table" and rawget(meta, "__index") or nil
  end
  return chain
end

local function sorted_keys(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  sort(list)
  return mp.array(list, #list)
end

-- Runtime files are named by their place in lua_server/ (nn/Linear.lua:42), the user's own
-- by the chunk name they were loaded with.
local function where(f)
  local info = debug.getinfo(f, "S")
  if not info or info.what == "C" then return "[C]" end
  local src = info.short_src:gsub("^.*/lua_server/", "")
  return src .. ":" .. tostring(info.linedefined)
end

-- describe {target, methods = bool, name = str}: the object's Lua type, class chain, field
-- names, and (when asked) the class's method names; with `name`, where that method is
-- defined.
function M.describe(_, req)
  local obj = req.target
  local chain = lookup_chain(obj)
  local out = { typename = torch.typename(obj) or type(obj), kind = type(obj) }
  local parents = {}
  for i = 1, #chain do
    local n = rawget(chain[i], "__typename")
    if n and n ~= out.typename then parents[#parents + 1] = n end
  end
  out.parents = mp.array(parents, #parents)
  if type(obj) == "table" then
    local fields = {}
    for k in pairs(obj) do
      if is_identifier(k) then fields[k] = true end
    end
    out.fields = sorted_keys(fields)
  else
    out.fields = mp.array({}, 0)
  end
  if req.methods then
    local methods, attributes = {}, {}
    for i = 1, #chain do
      for k, v in pairs(chain[i]) do
        if is_identifier(k) and not k:match("^__") then
          if type(v) == "function" then methods[k] = true else attributes[k] = true end
        end
      end
    end
    out.methods = sorted_keys(methods)
    out.class_fields = sorted_keys(attributes)
  end
  if type(req.name) == "string" then
    for i = 1, #chain do
      local f = rawget(chain[i], req.name)
      if type(f) == "function" then
        out.defined_in = rawget(chain[i], "__typename") or out.typename
        out.source = where(f)
        break
      end
    end
  end
  return mp.map(out)
end

local function size_text(t)
  local sizes = {}
  for d = 1, t:dim() do sizes[d] = tostring(t:size(d)) end
  return concat(sizes, "x")
end

local function show_tensor(t)
  local n = t:nElement()
  local limit = t:dim() == 1 and SHOW_VECTOR or SHOW_ELEMENTS
  if n <= limit then return tostring(t) end
  local rows = t:size(1)
  local keep = t:dim() == 1 and 20 or math.floor(SHOW_ELEMENTS / (n / rows))
  local footer = format("[%s of size %s]", torch.typename(t), size_text(t))
  if keep < 1 then
    return format("%d elements (print() shows them all)\n%s", n, footer)
  end
  local head = tostring(t:narrow(1, 1, keep)):gsub("%[[%w%.]+ of size [%dx]+%]%s*$", "")
  return format("%s... the first %d of %d along dimension 1 (print() shows all)\n%s",
    head, keep, rows, footer)
end

-- show {target}: the text a notebook displays: Torch7's tostring (print(net)), a large
-- tensor abbreviated to its first rows.
function M.show(_, req)
  local obj = req.target
  local ok, text = pcall(torch.isTensor(obj) and show_tensor or tostring, obj)
  if ok and type(text) == "string" then return text end
  -- a display must not fail: a broken __tostring__ of the user's class shows as such
  return format("<%s: tostring failed: %s>", torch.typename(obj) or type(obj), tostring(text))
end

local function packed(handler)
  return function(...)
    local v = handler(...)
    return { n = 1, v }
  end
end

return { describe = packed(M.describe), show = packed(M.show) }
