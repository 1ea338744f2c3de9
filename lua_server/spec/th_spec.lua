-- lua_server/bin/th, run as a subprocess: scripts with `arg` and `...` as lua(1) sets them,
-- -e chunks, -l libraries, usage, and exit status 1 with a traceback on errors. Also the
-- exit paths of torch.CmdLine and torch.Tester that end the process.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local TH = here .. "/../bin/th"

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
    expect.eq(out, "2\ttrue\n")
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
    expect.eq(out, "2\ta\tb c\nfalse\ta\tb c\t2\ttrue\ntorch.DoubleTensor\n")
    local p2 = script("print(arg[0]:match('[^/]+$') == ... )")
    local out2 = sh(TH .. " " .. p2 .. " " .. p2:match("[^/]+$"))
    os.remove(p2)
    expect.eq(out2, "true\n")
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

  it("prints a usage without arguments and with -h", function()
    local out, rc = sh(TH)
    expect.eq(rc, 0)
    expect.truthy(out:find("^Usage: th %[options%] %[script%.lua %[arguments%]%]\n"), out)
    local out2 = sh(TH .. " -h")
    expect.eq(out2, out)
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
    expect.eq(out, "lr\t3\n")
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
end)
