-- xlua.OptionParser: the optparse-style command-line parser Torch7's xlua shipped
-- (D. Manura's interface): op:option{'-l', '--lr', action='store', dest='lr', help=..,
-- default=..}, then op:parse() reads the global `arg` and returns options, arguments.
local xlua = rawget(_G, "xlua")

local OptionParser = {}
OptionParser.__index = OptionParser

function xlua.OptionParser(usage)
  local self = setmetatable({ usage = usage, option_descriptions = {}, option_of = {} }, OptionParser)
  -- Torch7 copied the methods into the object; the metatable gives the same lookups
  for k, v in pairs(OptionParser) do if k ~= "__index" then self[k] = v end end
  self:option { "-h", "--help", action = "store_true", dest = "help", help = "show this help message and exit" }
  return self
end

function OptionParser:fail(message)
  io.stderr:write(message .. "\n")
  self:help()
  os.exit(1)
end

function OptionParser:option(desc)
  self.option_descriptions[#self.option_descriptions + 1] = desc
  for _, flag in ipairs(desc) do self.option_of[flag] = desc end
end

function OptionParser:parse(options)
  options = options or {}
  local args = {}
  for _, desc in ipairs(self.option_descriptions) do
    if desc.default ~= nil and options[desc.dest] == nil then options[desc.dest] = desc.default end
  end
  local argv = rawget(_G, "arg")
  if not argv then
    options.__main__ = false
    self.options = options
    return options, args
  end
  options.__main__ = true
  -- "--input=file" reads as "--input", "file"
  local words = {}
  for i = 1, #argv do
    local flag, value = argv[i]:match("^(%-%-%w+)=(.*)")
    if flag then
      words[#words + 1] = flag
      words[#words + 1] = value
    else
      words[#words + 1] = argv[i]
    end
  end
  local i = 1
  while i <= #words do
    local word = words[i]
    local desc = self.option_of[word]
    if desc then
      local value = desc.default
      if desc.action == nil or desc.action == "store" then
        i = i + 1
        value = words[i] or desc.default
        if not value then self:fail("option requires an argument " .. word) end
      elseif desc.action == "store_true" then
        value = true
      elseif desc.action == "store_false" then
        value = false
      end
      options[desc.dest] = value
    else
      if word:match("^%-") then self:fail("invalid option " .. word) end
      args[#args + 1] = word
    end
    i = i + 1
  end
  for flag, desc in pairs(self.option_of) do
    if desc.req and not options[desc.dest] then self:fail("option " .. flag .. " requires an argument ") end
  end
  if options.help then
    self:help()
    os.exit()
  end
  self.options = options
  return options, args
end

--- '-l LR, --lr=LR' for an option that takes a value
function OptionParser:flags(desc)
  local shown = {}
  for _, flag in ipairs(desc) do
    local suffix = ""
    if desc.action == nil or desc.action == "store" then
      local metavar = desc.metavar or desc.dest:upper()
      suffix = (#flag == 2 and " " or "=") .. metavar
    end
    shown[#shown + 1] = flag .. suffix
  end
  return table.concat(shown, ", ")
end

function OptionParser:help()
  local argv = rawget(_G, "arg") or {}
  local prog = (argv[-1] and (argv[-1] .. " " .. tostring(argv[0]))) or argv[0] or "THISPROG"
  io.write("Usage: " .. self.usage:gsub("%%prog", (tostring(prog):gsub("%%", "%%%%"))) .. "\n")
  io.write("\nOptions:\n")
  local pad = 0
  for _, desc in ipairs(self.option_descriptions) do pad = math.max(pad, #self:flags(desc)) end
  for _, desc in ipairs(self.option_descriptions) do
    local default = ""
    if desc.req then
      default = " [REQUIRED]"
    elseif desc.default then
      default = " [default = " .. tostring(desc.default) .. "]"
    end
    local flags = self:flags(desc)
    io.write("  " .. flags .. string.rep(" ", pad - #flags) .. "  " .. desc.help .. default .. "\n")
  end
end

--- the parsed options as text, or as a file-name fragment 'key=value,...' when asked
function OptionParser:tostring(as_filename, params)
  if not as_filename then
    local argv = rawget(_G, "arg")
    local name = ((argv and argv[0]) or "interpreted.lua"):gsub(".lua", "")
    local text = "<" .. name .. "> configuration:\n"
    for k, v in pairs(self.options) do text = text .. " + " .. k .. " = " .. tostring(v) .. "\n" end
    return text
  end
  local parts = {}
  for _, desc in ipairs(self.option_descriptions) do
    local key, wanted = desc[1], #params == 0
    for _, p in ipairs(params) do if p == key then wanted = true end end
    local value = self.options[desc.dest]
    if value and wanted then parts[#parts + 1] = key .. "=" .. tostring(value) end
  end
  return (table.concat(parts, ","):gsub("/", "|"):gsub(" ", "_"))
end

function OptionParser:summarize(compact)
  io.write(self:tostring(compact))
end
