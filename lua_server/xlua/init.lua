-- xlua: Torch7's helpers for scripts: the progress bar, formatTime, xlua.print, require,
-- unpack/usage for named arguments, OptionParser, Profiler, envparams, and the string/table
-- extras Torch7's xlua added (string.split, string.tosymbol, table.splice, table.prune).
-- `require 'xlua'` sets the global `xlua`, as Torch7's did.
local sys = require "sys"
local torch = require "torch"

local type, tostring, pairs, ipairs, select, error = type, tostring, pairs, ipairs, select, error
local io, os, math, string, table = io, os, math, string, table

local xlua = rawget(_G, "xlua") or {}
rawset(_G, "xlua", xlua)

-- globals present when xlua loads are protected from clearall, as in Torch7
local protected = {}
for k in pairs(_G) do protected[k] = true end

require "xlua.OptionParser"
require "xlua.Profiler"
require "xlua.progress"
require "xlua.args"

--- print a table as xlua did ({[k] = v, ...}; long values cut at 40 characters)
function xlua.print(obj, ...)
  if type(obj) == "table" then
    local mt = getmetatable(obj)
    if mt and mt.__tostring__ then
      io.write(mt.__tostring__(obj))
    else
      local shown = tostring(obj)
      if shown and not shown:find("table: ", 1, true) then
        if type(obj.usage) == "string" then
          io.write(obj.usage, "\n\nFIELDS:\n")
        else
          io.write(shown, ":\n")
        end
      end
      io.write("{")
      local sep = ""
      local first = true
      for k, v in pairs(obj) do
        if not first then io.write(",\n") end
        first = false
        if type(v) == "userdata" then
          io.write(sep, "[", tostring(k), "] = <userdata>")
        else
          local text = tostring(v):gsub("\n", "\\n")
          if #text > 40 then
            io.write(sep, "[", tostring(k), "] = ", text:sub(1, 40), sys.COLORS.none, " ... ")
          else
            io.write(sep, "[", tostring(k), "] = ", text)
          end
        end
        sep = " "
      end
      io.write("}")
    end
  else
    io.write(tostring(obj))
  end
  if select("#", ...) > 0 then
    io.write("    ")
    print(...)
  else
    io.write("\n")
  end
end
rawset(_G, "xprint", xlua.print)

--- copy everything written with io.write (and xlua.print) into `file` too
function xlua.log(file, append)
  os.execute("mkdir -p \"" .. sys.dirname(file) .. "\"")
  local f = assert(io.open(file, append and "a" or "w"))
  local write = io.write
  io._write = write
  _G._print = _G.print
  _G.print = xlua.print
  io.write = function(...)
    write(...)
    for i = 1, select("#", ...) do f:write((select(i, ...))) end
    f:flush()
  end
end

--- remove every global defined after xlua loaded
function xlua.clearall()
  for k in pairs(_G) do
    if not protected[k] then
      if package.loaded[k] then package.loaded[k] = nil end
      _G[k] = nil
    end
  end
  collectgarbage()
end

function xlua.clear(name)
  _G[name] = nil
  collectgarbage()
end

--- print the libraries and the user's globals
function xlua.who()
  local user, libs = {}, {}
  for k, v in pairs(_G) do
    if package.loaded[k] and k ~= "_G" then
      libs[#libs + 1] = k
    elseif not protected[k] then
      user[k] = v
    end
  end
  xlua.print("")
  xlua.print("Global Libs:")
  xlua.print(libs)
  xlua.print("")
  xlua.print("Global Vars:")
  xlua.print(user)
  xlua.print("")
end

--- seconds as at most two units: '1D2h', '3m4s', '12ms', '0ms'
function xlua.formatTime(seconds)
  local floor = math.floor
  local days = floor(seconds / 3600 / 24)
  seconds = seconds - days * 3600 * 24
  local hours = floor(seconds / 3600)
  seconds = seconds - hours * 3600
  local minutes = floor(seconds / 60)
  seconds = seconds - minutes * 60
  local whole = floor(seconds)
  local millis = floor((seconds - whole) * 1000)
  local parts, n = {}, 0
  for _, unit in ipairs({ { days, "D" }, { hours, "h" }, { minutes, "m" }, { whole, "s" }, { millis, "ms" } }) do
    if unit[1] > 0 and n < 2 then
      parts[#parts + 1] = unit[1] .. unit[2]
      n = n + 1
    end
  end
  if n == 0 then return "0ms" end
  return table.concat(parts)
end

--- error with the message in red, prefixed by <domain>, followed by a usage text
function xlua.error(message, domain, usage)
  local c = sys.COLORS
  if domain then message = "<" .. domain .. "> " .. message end
  local text = c.Red .. tostring(message) .. c.none
  if usage then text = text .. "\n" .. usage end
  error(text, 2)
end
rawset(_G, "xerror", xlua.error)

function xlua.trycatch(try, catch)
  local ok, err = pcall(try)
  if not ok then catch(err) end
end

--- whether a module file for `name` is on package.path or package.cpath, and which
function xlua.installed(name)
  local search = package.path .. ";" .. package.cpath
  for template in search:gmatch("[^;]+") do
    local file = template:gsub("%?", (name:gsub("%%", "%%%%")))
    if sys.filep(file) then return true, file end
  end
  return false, search
end

--- require that prints a warning and returns false instead of failing
function xlua.require(name)
  local ok, result = pcall(require, name)
  if not ok then
    print(result)
    print("warning: <" .. name .. "> could not be loaded (is it installed?)")
    return false
  end
  return result
end
rawset(_G, "xrequire", xlua.require)

--- options from environment variables: `lr=0.1 th train.lua` with envparams{lr=1}
function xlua.envparams(defaults)
  local params = {}
  for k, v in pairs(defaults) do
    params[k] = v
    local from_env = os.getenv(k)
    if from_env ~= nil then
      if type(v) == "number" then
        from_env = tonumber(from_env)
      elseif type(v) == "boolean" then
        if from_env == "false" or from_env == "False" then from_env = false
        elseif from_env == "true" or from_env == "True" then from_env = true end
      end
      if from_env == nil then error("xlua.envparams: " .. k .. " is not a " .. type(v), 2) end
      params[k] = from_env
    end
  end
  return params
end

-- the string and table helpers Torch7's xlua defined globally (real scripts call them)
string.split = sys.split

function string.tosymbol(str)
  local chunk = loadstring("return " .. str)
  local ok, result = pcall(chunk or error, "not an expression: " .. str)
  if not ok then error(result, 2) end
  if not result then error('symbol "' .. str .. '" does not exist', 2) end
  return result
end

--- table.splice(t, start, length): (t without the slice, the slice)
function table.splice(t, start, length)
  length, start = length or 1, start or 1
  local kept, removed = {}, {}
  for i, v in ipairs(t) do
    if i < start or i >= start + length then kept[#kept + 1] = v else removed[#removed + 1] = v end
  end
  return kept, removed
end

--- table.prune(t [, hash [, merge]]): the values of t without duplicates (order not kept)
function table.prune(t, hash, merge)
  hash = hash or function(v) return v end
  local by_hash = {}
  for _, v in ipairs(t) do
    local h = hash(v)
    if merge and by_hash[h] ~= nil then by_hash[h] = merge(v, by_hash[h]) else by_hash[h] = v end
  end
  local out = {}
  for _, v in pairs(by_hash) do out[#out + 1] = v end
  return out
end

return xlua
