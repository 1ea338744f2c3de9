-- The server side of issue 11: describing objects, their display text, and the user's own
-- Lua files (real chunk names, classes redefined when a file is loaded again).
local torch = require "torch"
require "nn"
local introspect = require "server.introspect"
local userfiles = require "server.userfiles"

local function describe_(obj, extra)
  local req = { target = obj, methods = true }
  for k, v in pairs(extra or {}) do req[k] = v end
  return introspect.describe(nil, req)[1]
end

local function has(list, name)
  for _, v in ipairs(list) do if v == name then return true end end
  return false
end

describe("describe", function()
  it("lists an nn module's fields, class chain and inherited methods", function()
    local info = describe_(nn.Linear(3, 2))
    expect.eq(info.typename, "nn.Linear")
    expect.same(info.parents, { "nn.Module" })
    expect.truthy(has(info.fields, "weight") and has(info.fields, "gradBias"), "fields")
    expect.truthy(has(info.methods, "updateOutput") and has(info.methods, "forward"), "methods")
    expect.truthy(not has(info.methods, "__init") and not has(info.methods, "weight"), "no metamethods")
  end)
  it("lists a tensor's methods, which live in its class", function()
    local info = describe_(torch.FloatTensor(2))
    expect.eq(info.kind, "userdata")
    expect.same(info.fields, {})
    expect.truthy(has(info.methods, "fill") and has(info.methods, "narrow"), "tensor methods")
  end)
  it("lists the keys of a namespace and the methods behind a constructor", function()
    expect.truthy(has(describe_(nn).fields, "Linear"), "nn.Linear")
    expect.truthy(has(describe_(nn.Linear).methods, "forward"), "through the constructor")
  end)
  it("says which class defines a method, and where", function()
    local info = describe_(nn.Linear(2, 2), { name = "forward" })
    expect.eq(info.defined_in, "nn.Module")
    expect.truthy(info.source:match("^nn/Module%.lua:%d+$"), info.source)
  end)
end)

describe("show", function()
  it("is Torch7's tostring for small tensors and modules", function()
    local t = torch.range(1, 4):resize(2, 2)
    expect.eq(introspect.show(nil, { target = t })[1], tostring(t))
    local lin = nn.Linear(2, 3)
    expect.eq(introspect.show(nil, { target = lin })[1], "nn.Linear(2 -> 3)")
  end)
  it("shows the first rows of a large tensor and its true size", function()
    local text = introspect.show(nil, { target = torch.zeros(1000, 10) })[1]
    expect.truthy(text:find("the first 100 of 1000 along dimension 1", 1, true), text:sub(-200))
    expect.truthy(text:match("%[torch%.DoubleTensor of size 1000x10%]$"), "footer")
    local wide = introspect.show(nil, { target = torch.zeros(2, 5000) })[1]
    expect.eq(wide, "10000 elements (print() shows them all)\n[torch.DoubleTensor of size 2x5000]")
  end)
end)

describe("load_chunk", function()
  it("runs code under its file name, so errors name the file and line", function()
    local results = userfiles.load_chunk(nil, { code = "local a = ...\nreturn 1, 2", chunkname = "two.lua" })
    expect.eq(results.n, 2)
    local ok, err = pcall(userfiles.load_chunk, nil, { code = "\n\nerror('boom')", chunkname = "MyLayer.lua" })
    expect.truthy(not ok and err:match("^MyLayer%.lua:3: boom"), err)
  end)
  it("reports a syntax error as LuaSyntaxError", function()
    local ok, err = pcall(userfiles.load_chunk, nil, { code = "local = 1", chunkname = "bad.lua" })
    expect.truthy(not ok and err.ename == "LuaSyntaxError" and err.evalue:match("^bad%.lua:1:"), err.evalue)
  end)
  it("redefines a class the user's file defined, keeping its objects", function()
    local v1 = [[
      local Scale, parent = torch.class('nn.SpecScale', 'nn.Module')
      function Scale:__init(k) parent.__init(self); self.k = k end
      function Scale:updateOutput(x) self.output = x * self.k; return self.output end
      function Scale:old() return 'old' end
    ]]
    userfiles.load_chunk(nil, { code = v1, chunkname = "SpecScale.lua" })
    local first = nn.SpecScale(2)
    expect.eq(first:forward(torch.ones(1))[1], 2)
    userfiles.load_chunk(nil, { code = v1:gsub("x %* self.k", "x * self.k + 1"):gsub("function Scale:old.-end", ""),
      chunkname = "SpecScale.lua" })
    expect.eq(nn.SpecScale(2):forward(torch.ones(1))[1], 3)
    expect.eq(first:forward(torch.ones(1))[1], 3, "an object of the old code runs the new")
    expect.eq(first.old, nil, "a method the new code lacks is gone")
    expect.truthy(torch.isTypeOf(first, "nn.Module"), "parent kept")
  end)
  it("still refuses to redefine the runtime's classes", function()
    local ok, err = pcall(userfiles.load_chunk, nil,
      { code = "torch.class('nn.Linear', 'nn.Module')", chunkname = "clash.lua" })
    expect.truthy(not ok and err:match("^clash%.lua:1: class nn.Linear already exists"), err)
  end)
end)

describe("preload", function()
  it("makes shipped modules what require finds, replacing earlier loads", function()
    local function ship(body)
      return userfiles.preload(nil, { require = "specpkg", modules = {
        specpkg = { code = "return { helper = require 'specpkg.helper' }", chunkname = "specpkg/init.lua" },
        ["specpkg.helper"] = { code = body, chunkname = "specpkg/helper.lua" },
      } })[1]
    end
    expect.eq(ship("return 41").helper, 41)
    expect.eq(ship("return 42").helper, 42)
    expect.eq(require("specpkg.helper"), 42)
  end)
end)

describe("show of a class whose __tostring__ fails", function()
  it("says so instead of failing the display", function()
    local Broken = torch.class("spec.BrokenShow")
    function Broken:__tostring__() error("no text") end
    local text = introspect.show(nil, { target = spec.BrokenShow() })[1]
    expect.truthy(text:match("^<spec%.BrokenShow: tostring failed: .*no text>$"), text)
  end)
end)
