-- The driver behind lua_server/bin/th: loads what Torch7's th (trepl) preloaded (torch,
-- paths, sys, xlua, Penlight's lazy globals, trepl's print), then runs options and the
-- script in the order Lua's standalone interpreter does. The script sees the global `arg` as in
-- `lua script.lua a b` (arg[0] the script, arg[1..] its arguments, the interpreter and
-- options at negative indices) and its arguments as `...`. An error prints its traceback
-- on stderr and exits with status 1.
local progname = os.getenv("TH_COMMAND") or "th"
local argv = { select(1, ...) }

local usage = [==[
Usage: th [options] [script.lua [arguments]]

Options:
  -e chunk          execute the Lua chunk
  -l name           require library name
  -i, --interactive enter the interactive prompt after the script or chunks
                    (th alone starts it)
  -g, --globals     warn when a global variable is created or an undeclared one read
  -gg, --gglobals   raise an error instead
  -h, --help        print this help
  --                stop handling options
  -                 run the script read from stdin]==]

local function message_of(err)
  if type(err) == "string" or type(err) == "number" then return tostring(err) end
  local mt = getmetatable(err)
  if mt and (mt.__tostring or rawget(mt, "__tostring__")) then return tostring(err) end
  return "(error object is a " .. type(err) .. " value)"
end

-- the traceback down to the frame that ran the user's code (this driver's frames are noise)
local function traceback(err)
  local tb = debug.traceback(message_of(err), 2)
  return (tb:gsub("\n\t%[C%]: in function 'xpcall'\n.*$", ""))
end

local function fail(text)
  io.stdout:flush()
  io.stderr:write(progname, ": ", text, "\n")
  io.stderr:flush()
  os.exit(1)
end

-- run f(...) under a traceback; exit 1 on error
local function protected(f, ...)
  local args, n = { ... }, select("#", ...)
  local ok, err = xpcall(function() return f(unpack(args, 1, n)) end, traceback)
  if not ok then fail(err) end
end

-- options up to the script name
local actions, interactive, script, i = {}, false, nil, 1
local monitor_globals
while i <= #argv do
  local a = argv[i]
  if a == "-h" or a == "--help" then
    print(usage)
    os.exit(0)
  elseif a == "-e" or a == "-l" then
    local value = argv[i + 1]
    if value == nil then
      io.stderr:write(progname, ": '", a, "' needs an argument\n", usage, "\n")
      os.exit(1)
    end
    actions[#actions + 1] = { a, value }
    i = i + 2
  elseif a:match("^%-l.") then
    actions[#actions + 1] = { "-l", a:sub(3) }
    i = i + 1
  elseif a == "-i" or a == "--interactive" then
    interactive = true
    i = i + 1
  elseif a == "-g" or a == "--globals" or a == "-gg" or a == "--gglobals" then
    monitor_globals = (a == "-gg" or a == "--gglobals") and "strict" or "warn"
    i = i + 1
  elseif a == "--" then
    script = argv[i + 1]
    i = i + 1
    break
  elseif a == "-" or a:sub(1, 1) ~= "-" then
    script = a
    break
  else
    io.stderr:write(progname, ": unrecognized option '", a, "'\n", usage, "\n")
    os.exit(1)
  end
end

-- without a script or chunk, th is the interactive interpreter
if not script and #actions == 0 then interactive = true end

-- the global arg, as lua(1) builds it
local script_at = script and i or #argv + 1
local global_arg = { [-script_at] = progname }
for k = 1, #argv do global_arg[k - script_at] = argv[k] end
_G.arg = global_arg

-- trepl's start-up: these packages, Penlight's modules as lazily loaded globals (`path`,
-- `stringx`, `tablex`, ...), its '%' string formatting, and its print
local repl
protected(function()
  require "torch"
  require "paths"
  require "sys"
  require "xlua"
  require "pl"
  local text = rawget(_G, "text") or _G.text  -- loaded on first use by Penlight
  if text then text.format_operator() end
  repl = require "trepl"
end)
_G._preloaded_ = {}
for k in pairs(_G) do _G._preloaded_[k] = true end
if monitor_globals then monitor_G(monitor_globals == "strict") end

for _, action in ipairs(actions) do
  if action[1] == "-l" then
    protected(require, action[2])
  else
    local chunk, err = loadstring(action[2], "=(command line)")
    if not chunk then fail(err) end
    protected(chunk)
  end
end

if script then
  local chunk, err
  if script == "-" then
    chunk, err = loadstring(io.stdin:read("*a"), "=stdin")
  else
    chunk, err = loadfile(script)
  end
  if not chunk then fail(err) end
  local script_args = {}
  for k = 1, #global_arg do script_args[k] = global_arg[k] end
  protected(chunk, unpack(script_args, 1, #global_arg))
end

if interactive then
  if io.stdout then
    print_old("luatorch " .. torch.runtime:match("^luatorch (%S+)") ..
      " - Torch7's th on ATen. Lua values print as in Torch7; 'exit' or Ctrl-D quits.")
  end
  repl()
end
