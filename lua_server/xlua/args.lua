-- xlua's named-argument helpers: xlua.unpack (positional or {name=value} arguments checked
-- against declarations, with an automatic usage text), xlua.unpack_class, xlua.usage,
-- xlua.usage_module and xlua.table2string, with Torch7's texts.
local sys = require "sys"
local xlua = rawget(_G, "xlua")

local type, tostring, pairs, ipairs = type, tostring, pairs, ipairs

local function value_text(v)
  if type(v) == "string" then
    v = v:gsub("\n", "\\n")
    if v:gsub("[^'\"]", ""):match('^"+$') then return "'" .. v .. "'" end
    return '"' .. v:gsub('"', '\\"') .. '"'
  end
  if type(v) == "table" then return xlua.table2string(v) end
  return tostring(v)
end

local function key_text(k)
  if type(k) == "string" and k:match("^[_%a][_%a%d]*$") then return k end
  return "[" .. value_text(k) .. "]"
end

--- a table as Lua-like text: {1,2,key=3}, or one entry a line with `newline`
function xlua.table2string(t, newline)
  local parts, listed = {}, {}
  for i, v in ipairs(t) do
    parts[#parts + 1] = value_text(v)
    listed[i] = true
  end
  local sep = newline and " : " or "="
  for k, v in pairs(t) do
    if not listed[k] then parts[#parts + 1] = key_text(k) .. sep .. value_text(v) end
  end
  if newline then return "{\n   " .. table.concat(parts, "\n   ") .. "\n}" end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function padded(key)
  if #key < 40 then key = key .. string.rep(" ", 40 - #key) end
  return key
end

--- the usage text of a function from its argument declarations
function xlua.usage(funcname, description, example, ...)
  local c = sys.COLORS
  local banner = "+++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++"
  local lines = { banner .. "\n", c.Magenta .. funcname .. c.none .. "\n" }
  if description then lines[#lines + 1] = "\n" .. description .. "\n" end
  lines[#lines + 1] = "\n" .. c.blue .. "> " .. c.none .. "usage:\n" .. c.cyan
  local args = { ... }
  if args[1] and args[1].tabled then args = args[1].tabled end
  if args[1] and args[1].arg then
    lines[#lines + 1] = funcname .. "{\n"
    for _, p in ipairs(args) do
      local key = p.req and ("    " .. p.arg .. " = " .. p.type) or ("    [" .. p.arg .. " = " .. p.type .. "]")
      local line = padded(key) .. "-- " .. p.help
      if type(p.default) == "table" then
        line = line .. "  [default = " .. xlua.table2string(p.default) .. "]"
      elseif p.default ~= nil then
        line = line .. "  [default = " .. tostring(p.default) .. "]"
      elseif p.defaulta then
        line = line .. "  [default == " .. p.defaulta .. "]"
      end
      lines[#lines + 1] = line .. "\n"
    end
    lines[#lines + 1] = "}\n"
  else
    -- positional forms, separated by '' entries
    local i = 1
    repeat
      lines[#lines + 1] = funcname .. "(\n"
      local p = args[i]
      while p and p ~= "" do
        local key = p.req and ("    " .. p.type) or ("    [" .. p.type .. "]")
        lines[#lines + 1] = padded(key) .. "-- " .. p.help .. "\n"
        i = i + 1
        p = args[i]
      end
      lines[#lines + 1] = ")\n"
      i = i + 1
    until p == nil
  end
  lines[#lines + 1] = c.none
  if example then lines[#lines + 1] = "\n" .. c.cyan .. example .. c.none .. "\n" end
  lines[#lines + 1] = banner
  return table.concat(lines)
end

--- args: the caller's {...}; declarations {arg=, type=, help=, default=, req=, defaulta=}.
--- Returns the table of values by name (and position), then the values in order.
function xlua.unpack(args, funcname, description, ...)
  local defs = { ... }
  local usage = setmetatable({}, { __tostring = function()
    local example
    if #defs > 1 then
      example = funcname .. "{" .. defs[2].arg .. "=" .. defs[2].type .. ", " .. defs[1].arg .. "=" ..
        defs[1].type .. "}\n" .. funcname .. "(" .. defs[1].type .. "," .. " ...)"
    end
    return xlua.usage(funcname, description, example, { tabled = defs })
  end })

  local given = {}
  if #args == 0 then
    print(usage)
    xlua.error("error")
  elseif #args == 1 and type(args[1]) == "table" and #args[1] == 0 and torch.typename(args[1]) == nil then
    given = args[1]
  else
    for i = 1, #defs do given[defs[i].arg] = args[i] end
  end

  local values = {}
  for i, def in ipairs(defs) do
    if def.req and given[def.arg] == nil then
      print(sys.COLORS.Red .. "missing argument: " .. def.arg .. sys.COLORS.none)
      print(usage)
      xlua.error("error")
    end
    local v = given[def.arg]
    if v == nil then v = def.default end
    if v == nil and def.defaulta then v = values[def.defaulta] end
    values[def.arg] = v
    values[i] = v
  end
  values.usage = usage
  return values, unpack(values, 1, #defs)
end

--- xlua.unpack, storing the named values into `object`
function xlua.unpack_class(object, args, funcname, description, ...)
  local values = xlua.unpack(args, funcname, description, ...)
  for k, v in pairs(values) do
    if type(k) ~= "number" then object[k] = v end
  end
end

--- give a module a __tostring that shows its name and description
function xlua.usage_module(module, name, description)
  local c = sys.COLORS
  local text = c.magenta .. "+++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n" ..
    "PACKAGE:\n" .. name .. "\n"
  if description then text = text .. "\nDESC:\n" .. description .. "\n" end
  text = text .. "++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++" .. c.none
  local mt = getmetatable(module) or {}
  setmetatable(module, mt)
  mt.__tostring = function() return text end
  return text
end
