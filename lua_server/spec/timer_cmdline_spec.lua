-- torch.Timer, torch.tic/toc and torch.CmdLine (Torch7's Timer.c and CmdLine.lua).
-- The exit paths of CmdLine (errors, -h) are checked through `th` in th_spec.lua.
require "torch"

-- spin for `seconds` of CPU time
local function busy(seconds)
  local t0 = os.clock()
  local x = 0
  while os.clock() - t0 < seconds do x = x + 1 end
  return x
end

-- capture io.write and print while fn runs
local function capture(fn)
  local out = {}
  local write, prt = io.write, print
  io.write = function(...) for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end end
  print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    out[#out + 1] = table.concat(parts, "\t") .. "\n"
  end
  local ok, err = pcall(fn)
  io.write, print = write, prt
  if not ok then error(err, 0) end
  return table.concat(out)
end

describe("torch.Timer", function()
  it("measures real and user time while running", function()
    local timer = torch.Timer()
    expect.eq(torch.type(timer), "torch.Timer")
    busy(0.03)
    local t = timer:time()
    expect.truthy(t.real >= 0.029 and t.real < 5, "real " .. t.real)
    expect.truthy(t.user + t.sys >= 0.02, "user+sys " .. (t.user + t.sys))
    expect.truthy(t.sys >= 0, "sys")
    expect.eq(tostring(timer), "torch.Timer [status: running]")
  end)

  it("stops, resumes and resets as Torch7's timer", function()
    local timer = torch.Timer()
    busy(0.01)
    expect.eq(timer:stop(), timer, "stop returns the timer")
    local a = timer:time()
    busy(0.02)
    local b = timer:time()
    expect.eq(b.real, a.real, "frozen while stopped")
    expect.eq(b.user, a.user)
    expect.eq(tostring(timer), "torch.Timer [status: stopped]")
    timer:resume()
    busy(0.01)
    local c = timer:time()
    expect.truthy(c.real > a.real and c.real < a.real + 1, "accumulates after resume")
    timer:stop()
    timer:reset()
    local d = timer:time()
    expect.eq(d.real, 0, "a stopped timer reset stays stopped at zero")
    expect.eq(d.user, 0)
    expect.eq(d.sys, 0)
    timer:resume()
    busy(0.005)
    expect.truthy(timer:time().real > 0)
  end)

  it("tic/toc measure wall-clock seconds", function()
    local t0 = torch.tic()
    expect.truthy(math.abs(t0 - os.time()) < 5, "tic is seconds since the epoch")
    busy(0.02)
    local dt = torch.toc(t0)
    expect.truthy(dt >= 0.019 and dt < 5, "toc " .. dt)
    expect.error(function() torch.toc() end, "toc: expected the number returned by torch.tic() as argument 1, got nil")
  end)
end)

describe("torch.CmdLine", function()
  local function make()
    local cmd = torch.CmdLine()
    cmd:text()
    cmd:text("Train a model")
    cmd:text("Options")
    cmd:option("-lr", 0.1, "learning rate")
    cmd:option("-name", "run", "experiment name")
    cmd:option("-cuda", false, "use the GPU")
    cmd:option("-shuffle", true, "shuffle the data")
    return cmd
  end

  it("returns the defaults", function()
    expect.same(make():parse({}), { lr = 0.1, name = "run", cuda = false, shuffle = true })
  end)

  it("converts values by the default's type and negates booleans", function()
    local opt = make():parse({ "-lr", "0.5", "-cuda", "-name", "x1", "-shuffle" })
    expect.same(opt, { lr = 0.5, name = "x1", cuda = true, shuffle = false })
    expect.eq(type(opt.lr), "number")
  end)

  it("reads positional arguments", function()
    local cmd = make()
    cmd:argument("-data", "data file")
    local opt = cmd:parse({ "train.t7", "-lr", "2" })
    expect.same(opt, { lr = 2, name = "run", cuda = false, shuffle = true, data = "train.t7" })
  end)

  it("checks option defaults", function()
    local cmd = torch.CmdLine()
    expect.error(function() cmd:option("-x") end, "option -x has no default value")
    expect.error(function() cmd:option("-x", 1, "help", "string") end, "option -x has wrong default type value")
  end)

  it("prints help like Torch7", function()
    local cmd = make()
    cmd:argument("-data", "data file")
    local out = capture(function() cmd:help({ [0] = "train.lua" }) end)
    -- widest key: '-shuffle' (8); arguments count as '<data>' (6)
    expect.eq(out,
      "Usage: train.lua [options] <data>\n" ..
      "\n" ..
      "Train a model\n" ..
      "Options\n" ..
      "  -lr      learning rate [0.1]\n" ..
      "  -name    experiment name [run]\n" ..
      "  -cuda    use the GPU [false]\n" ..
      "  -shuffle shuffle the data [true]\n" ..
      "  <data>   data file\n")
  end)

  it("builds an experiment string from non-default options", function()
    local cmd = make()
    local s
    local out = capture(function()
      s = cmd:string("exp", { lr = 0.5, name = "run", cuda = true, shuffle = true }, { name = true })
    end)
    -- name ignored; lr and cuda differ from their defaults; sorted; booleans as t/f
    expect.eq(s, "exp,cuda=t,lr=0.5")
    expect.truthy(out:find("-- ignore option name", 1, true), out)
    expect.eq(cmd:string("exp", { lr = 0.1 }, {}), "exp")
    -- ignore[k] == false keeps an option even at its default
    capture(function() s = cmd:string("p", { lr = 0.1 }, { lr = false }) end)
    expect.eq(s, "p,lr=0.1")
  end)

  it("logs print output to a file with addTime's prefix", function()
    local cmd = make()
    local path = os.tmpname()
    local saved = print
    local lines = {}
    print = function(...) lines[#lines + 1] = table.concat({ ... }, " ") end
    local ok, err = pcall(function()
      cmd:addTime("exp", "%Y")
      cmd:log(path, { lr = 0.5 })
      print("loss", 1.5)
    end)
    local logged_print = print
    print = saved
    if not ok then error(err, 0) end
    expect.truthy(logged_print ~= saved, "log installs a global print")
    local f = io.open(path)
    local text = f:read("*a")
    f:close()
    os.remove(path)
    -- Torch7 joins the date, the values and the newline with single spaces
    local year = os.date("%Y")
    expect.truthy(text:find(year .. "[exp]:  [program started on ", 1, true), text)
    expect.truthy(text:find("\n" .. year .. "[exp]:  [command line arguments] \n", 1, true), text)
    expect.truthy(text:find("\n" .. year .. "[exp]:  lr 0.5 \n", 1, true), text)
    local last = "\n" .. year .. "[exp]:  loss 1.5 \n"
    expect.eq(text:sub(-#last), last)
    expect.eq(lines[#lines], "loss 1.5", "still printed to the console")
  end)

  it("stays quiet on the console after silent()", function()
    local cmd = make()
    cmd:silent()
    local path = os.tmpname()
    local saved = print
    local count = 0
    print = function() count = count + 1 end
    pcall(function() cmd:log(path, {}); print("x") end)
    print = saved
    os.remove(path)
    expect.eq(count, 0)
  end)
end)
