-- lua_server/bin/th, run as a subprocess: scripts with `arg` and `...` as lua(1) sets them,
-- -e chunks, -l libraries, usage, and exit status 1 with a traceback on errors. Also the
-- exit paths of torch.CmdLine and torch.Tester that end the process.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local TH = here .. "/../bin/th"
local paths = require "paths"

-- run a shell command line; returns its stdout+stderr and exit status
local function sh(cmdline)
  local p = io.popen(cmdline .. " 2>&1; echo \"<rc=$?>\"")
  local out = p:read("*a")
  p:close()
  local text, rc = out:match("^(.*)<rc=(%d+)>\n$")
  return text, tonumber(rc)
end

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function script(body)
  local path = os.tmpname() .. ".lua"
  local f = assert(io.open(path, "w"))
  f:write(body)
  f:close()
  return path
end

describe("th", function()
  it("runs a -e chunk with torch loaded", function()
    local out, rc = sh(TH .. " -e " .. quote("print(torch.Tensor({1,2}))"))
    expect.eq(rc, 0)
    expect.eq(out, " 1\n 2\n[torch.DoubleTensor of size 2]\n\n")
  end)

  it("runs chunks and -l libraries in order", function()
    local out, rc = sh(TH .. " -e 'x = 1' -l nn -e " .. quote("print(x + 1, nn.Linear ~= nil)"))
    expect.eq(rc, 0)
    expect.eq(out, "2\ttrue\t\n")  -- trepl's print ends every value with a tab
  end)

  it("gives a script arg and ... as the standalone interpreter does", function()
    local path = script([[
      print(select("#", ...), ...)
      print(arg[0] == SCRIPT, arg[1], arg[2], #arg, arg[-1] ~= nil)
      require "nn"
      print(torch.type(nn.Linear(2, 3).weight))
    ]])
    local out, rc = sh("SCRIPT=1 " .. TH .. " " .. path .. " a 'b c'")
    os.remove(path)
    expect.eq(rc, 0)
    -- SCRIPT is a global nil in the script, so arg[0] == SCRIPT is false: arg[0] is the path
    expect.eq(out, "2\ta\tb c\t\nfalse\ta\tb c\t2\ttrue\t\ntorch.DoubleTensor\t\n")
    local p2 = script("print(arg[0]:match('[^/]+$') == ... )")
    local out2 = sh(TH .. " " .. p2 .. " " .. p2:match("[^/]+$"))
    os.remove(p2)
    expect.eq(out2, "true\t\n")
  end)

  it("exits 1 with the error and a traceback on stderr", function()
    local path = script("local function inner() error('deep failure') end\ninner()\n")
    local out, rc = sh(TH .. " " .. path)
    os.remove(path)
    expect.eq(rc, 1)
    expect.truthy(out:find(":1: deep failure\nstack traceback:\n", 1, true), out)
    expect.truthy(out:find("in function 'inner'", 1, true), out)
    local out2, rc2 = sh(TH .. " -e 'error(\"boom\")'")
    expect.eq(rc2, 1)
    expect.truthy(out2:find("(command line):1: boom", 1, true), out2)
    local _, rc3 = sh(TH .. " /nonexistent/script.lua")
    expect.eq(rc3, 1)
  end)

  it("prints a usage with -h and refuses unknown options", function()
    local out, rc = sh(TH .. " -h")
    expect.eq(rc, 0)
    expect.truthy(out:find("^Usage: th %[options%] %[script%.lua %[arguments%]%]\n"), out)
    local _, rc3 = sh(TH .. " -zz")
    expect.eq(rc3, 1)
  end)

  it("lets a failing Tester end the script with status 1", function()
    local path = script([[
      local t = torch.Tester()
      t:add(function() t:eq(1, 2) end, "fails")
      t:run()
      print("not reached")
    ]])
    local out, rc = sh(TH .. " " .. path)
    os.remove(path)
    expect.eq(rc, 1)
    expect.truthy(out:find("Completed 1 assert in 1 test with 1 failure and 0 errors", 1, true), out)
    expect.truthy(not out:find("not reached", 1, true))
  end)

  it("runs CmdLine's exit paths: -h exits 0 with the help, a bad option exits 1", function()
    local path = script([[
      local cmd = torch.CmdLine()
      cmd:option('-lr', 0.1, 'learning rate')
      local opt = cmd:parse(arg)
      print('lr', opt.lr)
    ]])
    local out, rc = sh(TH .. " " .. path .. " -lr 3")
    expect.eq(rc, 0)
    expect.eq(out, "lr\t3\t\n")
    local help, rc2 = sh(TH .. " " .. path .. " -h")
    expect.eq(rc2, 0)
    expect.eq(help, "Usage: " .. path .. " [options]\n  -lr learning rate [0.1]\n")
    local err, rc3 = sh(TH .. " " .. path .. " -momentum 3")
    os.remove(path)
    expect.eq(rc3, 1)
    -- as in Torch7, a word that is not a declared option is read as a positional argument
    expect.truthy(err:find("invalid argument: -momentum", 1, true), err)
    expect.truthy(err:find("Usage: [options]", 1, true), err)
  end)

  it("preloads torch, paths, sys, xlua and Penlight's lazy globals, as trepl did", function()
    local out, rc = sh(TH .. " -e " .. quote("print(paths.cwd() == require('lfs').currentdir(), " ..
      "sys.OS, type(xlua.progress), path.basename('/a/b.lua'), stringx.strip('  s '), '%d-%s' % {3, 'x'})"))
    expect.eq(rc, 0)
    expect.eq(out, "true\tlinux\tfunction\tb.lua\ts\t3-x\t\n")
  end)

  it("prints tables, strings, numbers and tensors as trepl's print", function()
    local out = sh(TH .. " -e " .. quote(
      "print({a = {b = 'x'}}); print({e = {}}); print({}); print(1, nil, 'two'); print({1, {2, {3, {4}}}}); " ..
      "print(torch.Tensor(1)); print({t = torch.Tensor(2, 3), n = nn})"))
    expect.eq(out, table.concat({
      -- (one key a table: pairs order differs from run to run)
      "{", "  a : ", "    {", '      b : "x"', "    }", "}",
      "{", "  e : {...}", "}",
      "{}",
      "1\tnil\ttwo\t",
      "{", "  1 : 1", "  2 : ", "    {", "      1 : 2", "      2 : ", "        {", "          1 : 3",
      "          2 : ", "            {", "              1 : 4", "            }", "        }", "    }", "}",
      }, "\n") .. "\n" .. out:match("\n(%s*[%d.e+-]+\n%[torch%.DoubleTensor of size 1%]\n\n)") ..
      "{\n  t : DoubleTensor - size: 2x3\n}\n")
  end)

  it("relative require finds files next to the script", function()
    local dir = os.tmpname()
    os.remove(dir)
    paths.mkdir(dir)
    local f = io.open(dir .. "/helper.lua", "w")
    f:write("return {answer = 42}")
    f:close()
    f = io.open(dir .. "/main.lua", "w")
    f:write("print(require('./helper').answer, require('helper').answer)")
    f:close()
    local out = sh(TH .. " " .. dir .. "/main.lua")
    paths.rmall(dir, "yes")
    expect.eq(out, "42\t42\t\n")
  end)

  it("runs an interactive session from a pipe: values printed, ';' quiet, chunks continued", function()
    local out, rc = sh("printf 'x = 3\\nx + 1\\nx;\\nt = {k = true}\\n=t\\nfor i = 1, 2 do\\nprint(i)\\nend\\n' | "
      .. TH .. " -i")
    expect.eq(rc, 0)
    -- each command's time, right of 70 spaces, as trepl printed it
    local shown = out:gsub(string.rep(" ", 70) .. "%[%d+%.%d%d%d%ds%]\t\n", "<timed>\n")
    local lines = {}
    for line in shown:gmatch("[^\n]*\n") do lines[#lines + 1] = line end
    table.remove(lines, 1)  -- the banner
    expect.eq(table.concat(lines), table.concat({
      "th> <timed>\n",
      "th> 4\t\n", "<timed>\n",
      "th> syntax error: [string \"x;\"]:1: '=' expected near ';'\t\n", "<timed>\n",
      "th> <timed>\n",
      "th> {\n", "  k : true\n", "}\n", "<timed>\n",
      "th> ..> ..> 1\t\n", "2\t\n", "<timed>\n",
      "th> Do you really want to exit ([y]/n)? \t\n",
    }))
  end)

  it("starts the interactive prompt without arguments", function()
    local out, rc = sh("echo '2 * 21' | " .. TH)
    expect.eq(rc, 0)
    expect.truthy(out:find("th> 42\t\n", 1, true), out)
  end)

  it("finds users' packages in $LUATORCH_HOME's share/lua/5.1 tree", function()
    local home = os.tmpname()
    os.remove(home)
    paths.mkdir(home .. "/share/lua/5.1/userpkg")
    local f = io.open(home .. "/share/lua/5.1/userpkg/init.lua", "w")
    f:write("return {where = paths.dirname(paths.thisfile())}")
    f:close()
    local out, rc = sh("LUATORCH_HOME=" .. home .. " " .. TH .. " -e " ..
      quote("print(require('userpkg').where, paths.install_prefix, package.cpath:find(paths.install_lua_cpath, 1, true) ~= nil)"))
    paths.rmall(home, "yes")
    expect.eq(rc, 0)
    expect.eq(out, home .. "/share/lua/5.1/userpkg\t" .. home .. "\ttrue\t\n")
  end)

  it("-g reports globals created and read undeclared; -gg makes them errors", function()
    local path = script("x = 1\nlocal y = x + 1\nprint(undeclared_name)\n")
    local out, rc = sh(TH .. " -g " .. path)
    expect.eq(rc, 0)
    expect.eq(out, "created global variable: x @ " .. path .. ":1\t\n" ..
      "attempt to read undeclared variable: undeclared_name @ " .. path .. ":3\t\nnil\t\n")
    local err, rc2 = sh(TH .. " -gg " .. path)
    os.remove(path)
    expect.eq(rc2, 1)
    expect.truthy(err:find(path .. ":1: created global variable: x @ " .. path .. ":1", 1, true), err)
  end)
end)
