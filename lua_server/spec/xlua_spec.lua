-- xlua: the progress bar drawn as Torch7's, formatTime, OptionParser, Profiler, unpack,
-- table2string, envparams, print and the string/table extras.
local xlua = require "xlua"

-- everything io.write writes while fn runs
local function written(fn)
  local out, write = {}, io.write
  io.write = function(...)
    for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end
  end
  local ok, err = pcall(fn)
  io.write = write
  if not ok then error(err, 0) end
  return table.concat(out)
end

describe("xlua.progress", function()
  it("draws Torch7's bar: [===>...], stats, then current/goal over the middle", function()
    local out = written(function() for i = 1, 4 do xlua.progress(i, 4) end end)
    local L = #out:match("^ %[([=>.]+)%] ")
    local width = math.min(L + 34, 120)
    expect.eq(L, width - 34)
    local pad = width - L - 4
    local expected, pos = {}, 1
    for i = 1, 4 do
      local percent = math.floor(i * L / 4)
      local bar = {}
      for j = 1, L do bar[j] = (j < percent and "=") or (j == percent and ">") or "." end
      local head = (i > 1 and "\r" or "") .. " [" .. table.concat(bar) .. "] " ..
        string.rep(" ", pad) .. string.rep("\b", pad)
      expect.eq(out:sub(pos, pos + #head - 1), head, "bar " .. i)
      pos = pos + #head
      local stats = out:match("^ %a%a%a: %w+ | Step: %w+", pos)
      expect.truthy(stats, "stats " .. i)
      expect.eq(stats:sub(2, 4), i < 4 and "ETA" or "Tot")
      local tail = stats .. string.rep("\b", math.floor(5 + #stats + L / 2)) .. " " .. i .. "/4 " ..
        (i == 4 and "\n" or "") .. "\r"
      expect.eq(out:sub(pos, pos + #tail - 1), tail, "tail " .. i)
      pos = pos + #tail
    end
    expect.eq(pos, #out + 1)
    -- a finished bar starts afresh on the next call
    expect.truthy(written(function() xlua.progress(1, 2) end):find("^ %[=*>?%.*%] "))
    written(function() xlua.progress(2, 2) end)
  end)
end)

describe("xlua", function()
  it("is the global xlua", function()
    expect.eq(rawget(_G, "xlua"), xlua)
  end)

  it("formatTime keeps the two largest units", function()
    expect.eq(xlua.formatTime(0), "0ms")
    expect.eq(xlua.formatTime(0.0125), "12ms")
    expect.eq(xlua.formatTime(1.5), "1s500ms")
    expect.eq(xlua.formatTime(3725.5), "1h2m")
    expect.eq(xlua.formatTime(90061), "1D1h")
  end)

  it("OptionParser parses the global arg with defaults, flags and --name=value", function()
    local saved = rawget(_G, "arg")
    _G.arg = { [0] = "train.lua", "-r", "0.5", "--save=net.t7", "-v", "extra" }
    local op = xlua.OptionParser("%prog [options]")
    op:option { "-r", "--rate", action = "store", dest = "rate", help = "learning rate", default = 1 }
    op:option { "-s", "--save", action = "store", dest = "save", help = "file" }
    op:option { "-v", "--verbose", action = "store_true", dest = "verbose", help = "talk" }
    op:option { "-b", "--batch", dest = "batch", help = "batch size", default = 10 }
    local opt, args = op:parse()
    local help = written(function() op:help() end)
    _G.arg = saved
    expect.eq(opt.rate, "0.5")
    expect.eq(opt.save, "net.t7")
    expect.eq(opt.verbose, true)
    expect.eq(opt.batch, 10)
    expect.same(args, { "extra" })
    expect.eq(op:flags(op.option_of["-r"]), "-r RATE, --rate=RATE")
    expect.eq(help:match("^[^\n]*"), "Usage: train.lua [options]")
    expect.truthy(help:find("\n  -b BATCH, --batch=BATCH  batch size [default = 10]\n", 1, true), help)
  end)

  it("Profiler times named events", function()
    local p = xlua.Profiler()
    p:start("load")
    local real, cpu = p:lap("load")
    expect.truthy(real >= 0 and cpu >= 0)
    expect.truthy(p:format("load"):match("^%$ real | cpu: [%d.]+ | [%d.]+ <load>$"), p:format("load"))
    expect.truthy(p:formatAll():match("^%$ profiler report:\n%$ real [%d.]+ | cpu [%d.]+ <load>$"))
    expect.error(function() p:lap("nothing") end, "There is no such profiler - nothing")
  end)

  it("unpack takes positional or named arguments with defaults and requirements", function()
    local defs = {
      { arg = "size", type = "number", help = "size", req = true },
      { arg = "name", type = "string", help = "name", default = "x" },
      { arg = "alias", type = "string", help = "alias", defaulta = "name" },
    }
    local v, size, name, alias = xlua.unpack({ 4 }, "f", "makes", unpack(defs))
    expect.eq(size, 4); expect.eq(name, "x"); expect.eq(alias, "x")
    local named = xlua.unpack({ { size = 2, name = "n" } }, "f", "makes", unpack(defs))
    expect.eq(named.size, 2); expect.eq(named.alias, "n")
    expect.truthy(tostring(v.usage):find("f{\n    size = number", 1, true))
    local obj = {}
    xlua.unpack_class(obj, { 7 }, "C", nil, unpack(defs))
    expect.eq(obj.size, 7)
    written(function()
      local saved = print
      print = function() end
      expect.error(function() xlua.unpack({ { name = "n" } }, "f", "makes", unpack(defs)) end, "error")
      print = saved
    end)
  end)

  it("table2string, print, envparams and the string/table extras", function()
    expect.eq(xlua.table2string({ 1, "a", k = true }), '{1,"a",k=true}')
    expect.eq(xlua.table2string({ 2 }, true), "{\n   2\n}")
    expect.eq(written(function() xlua.print({ x = 1 }) end), "{[x] = 1}\n")
    expect.eq(written(function() xlua.print("a", nil) end):sub(1, 5), "a    ")
    local p = xlua.envparams({ HOME = "none", NOT_SET_XYZ = 3 })
    expect.eq(p.HOME, os.getenv("HOME"))
    expect.eq(p.NOT_SET_XYZ, 3)
    expect.same(("a b  c"):split(" "), { "a", "b", "", "c" })
    expect.eq(string.tosymbol("xlua.formatTime"), xlua.formatTime)
    local kept, removed = table.splice({ 1, 2, 3, 4 }, 2, 2)
    expect.same(kept, { 1, 4 })
    expect.same(removed, { 2, 3 })
    local pruned = table.prune({ 1, 2, 2, 3, 1 })
    table.sort(pruned)
    expect.same(pruned, { 1, 2, 3 })
    expect.eq(xlua.installed("xlua"), true)
    expect.eq(xlua.installed("no_such_pkg_xyz"), false)
  end)
end)
