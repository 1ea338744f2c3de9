-- torch.CmdLine: Torch7's command-line parser. Options take their type from their default
-- (a boolean option is a bare flag that negates its default), arguments are positional;
-- -h/-help/--help prints the help and exits; errors print the help and exit 1.
-- Output goes through io.write and print, looked up at call time, as in Torch7.
local torch = require "torch.env"

local type, error, tostring, tonumber, pairs, ipairs, select =
  type, error, tostring, tonumber, pairs, ipairs, select

local CmdLine = torch.class("torch.CmdLine")

-- '-lr' -> 'lr', '--help' -> 'help'
local function strip(key)
  return key:match("^%-*(.*)")
end

local function pad(str, width)
  return str .. string.rep(" ", width - #str)
end

function CmdLine:__init(argseparator, keyseparator)
  self.argseparator = argseparator or ","
  self.keyseparator = keyseparator or "="
  self.options = {}
  self.arguments = {}
  self.helplines = {}
  self.dateformat = nil
  self.silentio = false
end

function CmdLine:error(msg)
  print("")
  io.stderr:write(msg)
  print("")
  self:help()
  os.exit(1)
end

function CmdLine:silent()
  self.silentio = true
end

-- Prefix every logged line with os.date(format) (and "[name]: ").
function CmdLine:addTime(name, format)
  format = format or "%Y-%m-%d %H:%M:%S"
  if type(format) ~= "string" then error("addTime: the format (argument 2) has to be a string", 2) end
  self.dateformat = format .. (name ~= nil and ("[" .. name .. "]: ") or "")
end

function CmdLine:argument(key, help, type_)
  local argument = { key = key, help = help, type = type_ }
  self.arguments[#self.arguments + 1] = argument
  self.helplines[#self.helplines + 1] = argument
end

function CmdLine:option(key, default, help, type_)
  if default == nil then error("option " .. key .. " has no default value", 2) end
  type_ = type_ or type(default)
  if type(default) ~= type_ then error("option " .. key .. " has wrong default type value", 2) end
  local option = { key = key, default = default, help = help, type = type_ }
  self.options[key] = option
  self.helplines[#self.helplines + 1] = option
end

function CmdLine:text(txt)
  txt = txt or ""
  if type(txt) ~= "string" then error("text: expected a string, got " .. type(txt), 2) end
  self.helplines[#self.helplines + 1] = txt
end

function CmdLine:default()
  local params = {}
  for key, option in pairs(self.options) do params[strip(key)] = option.default end
  return params
end

function CmdLine:__readArgument__(params, arg, i, n)
  local value = arg[i]
  local argument = self.arguments[n]
  if n > #self.arguments then self:error("invalid argument: " .. value) end
  if argument.type and type(value) ~= argument.type then
    self:error("invalid argument type for argument " .. argument.key .. " (should be " .. argument.type .. ")")
  end
  params[strip(argument.key)] = value
  return 1
end

function CmdLine:__readOption__(params, arg, i)
  local key = arg[i]
  local option = self.options[key]
  if not option then self:error("unknown option " .. key) end
  if option.type == "boolean" then
    params[strip(key)] = not option.default
    return 1
  end
  local value = arg[i + 1]
  if not value then self:error("missing argument for option " .. key) end
  if option.type == "number" then
    value = tonumber(value)
  elseif option.type and option.type ~= "string" then
    self:error("unknown required option type " .. option.type)
  end
  if not value then
    self:error("invalid type for option " .. key .. " (should be " .. option.type .. ")")
  end
  params[strip(key)] = value
  return 2
end

function CmdLine:parse(arg)
  arg = arg or {}
  local params = self:default()
  local i, n = 1, 0
  while i <= #arg do
    local a = arg[i]
    if a == "-help" or a == "-h" or a == "--help" then
      self:help(arg)
      os.exit(0)
    end
    if self.options[a] then
      i = i + self:__readOption__(params, arg, i)
    else
      n = n + 1
      i = i + self:__readArgument__(params, arg, i, n)
    end
  end
  if n ~= #self.arguments then self:error("not enough arguments") end
  return params
end

-- A name for an experiment: prefix, then the arguments, then the options that differ
-- from their defaults, "key=value" joined by the separator (booleans as t/f).
-- ignore[k] = true leaves k out; ignore[k] = false keeps k even at its default.
function CmdLine:string(prefix, params, ignore)
  prefix = prefix or ""
  ignore = ignore or {}
  local arguments, options = {}, {}
  for k, v in pairs(params) do
    local option = self.options["-" .. k]
    if ignore[k] then
      print("-- ignore option " .. k)
    elseif option then
      if v ~= option.default or ignore[k] == false then
        if type(v) == "boolean" then v = v and "t" or "f" end
        options[#options + 1] = k .. self.keyseparator .. tostring(v)
        print(k, v, option.default)  -- Torch7 prints each kept option
      end
    else
      local narg
      for j = 1, #self.arguments do
        if strip(self.arguments[j].key) == k then narg = j end
      end
      if narg then
        arguments[narg] = k .. self.keyseparator .. tostring(v)
      else
        print("WARNING: unknown option/argument: " .. k .. " IGNORING for DIRECTORY NAME")
      end
    end
  end
  table.sort(options)
  local str = table.concat(arguments, self.argseparator)
  if str == "" then
    str = table.concat(options, self.argseparator)
  else
    str = str .. self.argseparator .. table.concat(options, self.argseparator)
  end
  if str == "" then return prefix end
  return prefix .. self.argseparator .. str
end

-- From now on the global print also appends to `file` (a path or an open file).
local original_print
function CmdLine:log(file, params)
  local f = io.type(file) == "file" and file or assert(io.open(file, "w"))
  original_print = original_print or print
  local cmd = self
  function print(...)  -- luacheck: ignore (Torch7 replaces the global print)
    local n = select("#", ...)
    local args = { ... }
    if not cmd.silentio then original_print(...) end
    local parts = {}
    if cmd.dateformat then parts[#parts + 1] = os.date(cmd.dateformat) end
    for i = 1, n do parts[#parts + 1] = tostring(args[i]) end
    parts[#parts + 1] = "\n"
    f:write(table.concat(parts, " "))
    f:flush()
  end
  print("[program started on " .. os.date() .. "]")
  print("[command line arguments]")
  if params then
    for k, v in pairs(params) do print(k, v) end
  end
  print("[----------------------]")
end

function CmdLine:help(arg)
  io.write("Usage: ")
  if arg then io.write(tostring(arg[0]) .. " ") end
  io.write("[options]")
  for _, argument in ipairs(self.arguments) do
    io.write(" <" .. strip(argument.key) .. ">")
  end
  io.write("\n")

  local width = 0
  for _, line in ipairs(self.helplines) do
    if type(line) == "table" then
      local w = line.default ~= nil and #line.key or #strip(line.key) + 2
      if w > width then width = w end
    end
  end

  for _, line in ipairs(self.helplines) do
    if type(line) == "table" then
      io.write("  ")
      if line.default ~= nil then
        io.write(pad(line.key, width))
        if line.help then io.write(" " .. line.help) end
        io.write(" [" .. tostring(line.default) .. "]")
      else
        io.write(pad("<" .. strip(line.key) .. ">", width))
        if line.help then io.write(" " .. line.help) end
      end
    else
      io.write(line)
    end
    io.write("\n")
  end
end

return CmdLine
