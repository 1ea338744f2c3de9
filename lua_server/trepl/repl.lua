-- The interactive loop of `th -i` / `th` without a script, as Torch7's trepl ran it: prompt
-- 'th> ' ('..> ' for continued lines), an expression's values printed with trepl's print,
-- a statement ending in ';' kept quiet, '$ cmd' for the shell, each command timed, and
-- _RESULTS/_LAST keeping results. Plain stdin (no readline): pipes and tmux work alike.
local col = require "trepl.colorize"

local io, os, table, string, select = io, os, table, string, select

local aliases = "alias ls='ls -GF'; alias ll='ls -lhF'; alias la='ls -ahF'; alias lla='ls -lahF';"

local function traceback(message)
  if type(message) ~= "string" and type(message) ~= "number" then return message end
  return debug.traceback(message)
end

local function nextline(continued)
  io.write(continued and "..> " or "th> ")
  io.flush()
  return io.read("*l")
end

local function run(line, timer)
  local started = timer:time().real
  local done = false
  if not (line:find(";%s-$") or line:find("^%s-print")) then
    -- an expression: evaluate and print its values
    if loadstring("local f = function() return " .. line .. " end") then
      -- trepl's own form, so errors name the same chunk: _RESULT={line}
      local chunk = loadstring("_RESULT={" .. line .. "}")
      local ok, err = xpcall(chunk, traceback)
      if ok then
        print(unpack(_G._RESULT))
        table.insert(_G._RESULTS, _G._RESULT[1])
      else
        print(err)
      end
      done = true
    end
  end
  if not done then
    local chunk, err = loadstring(line)
    if not chunk then
      print("syntax error: " .. err)
    else
      local ok, failure = xpcall(chunk, traceback)
      if not ok then print(failure) end
    end
  end
  io.write(string.rep(" ", 70))
  print(col.Black(string.format("[%0.04fs]", timer:time().real - started)))
end

return function()
  local timer = torch.Timer()
  _G._RESULTS = _G._RESULTS or {}
  _G._LAST = _G._LAST or ""
  while true do
    local line = nextline(false)
    if not line or line == "exit" then
      io.write("Do you really want to exit ([y]/n)? ")
      io.flush()
      local answer = io.read("*l")
      if not answer or answer == "" or answer:lower() == "y" then
        if not answer then print("") end
        os.exit()
      end
    end
    if line == "break" then break end
    if line and line:find("^%s-%$") then
      local pipe = io.popen(aliases .. " " .. line:gsub("^%s-%$", ""))
      local out = pipe:read("*a")
      pipe:close()
      io.write(col._black(out))
      io.flush()
      table.insert(_G._RESULTS, out)
      line = nil
    end
    if line then line = line:gsub("^%s-=", "") end
    if line and line:find("^%s-?") then
      print("error: could not load help backend")
      line = nil
    end
    if line and not line:match("^%s*$") then
      -- keep reading while the chunk is incomplete
      local valid = loadstring("return " .. line) or loadstring(line)
      while not valid do
        local more = nextline(true)
        if more == "" or not more then break end
        line = line .. "\n" .. more
        valid = loadstring(line)
      end
      run(line, timer)
    end
    _G._LAST = _G._RESULTS[#_G._RESULTS]
  end
end
