-- torch.packageLuaPath, torch.include, the global include, and the luaT fields of classes
-- (new, __factory, __constructor) that packages built the Torch way rely on.
local torch = require "torch"
local paths = require "paths"

-- a package tree in a scratch directory, put on package.path for the test
local function with_package(files, fn)
  local root = os.tmpname()
  os.remove(root)
  for name, text in pairs(files) do
    paths.mkdir(paths.dirname(root .. "/" .. name))
    local f = assert(io.open(root .. "/" .. name, "w"))
    f:write(text)
    f:close()
  end
  local saved = package.path
  package.path = root .. "/?.lua;" .. root .. "/?/init.lua;" .. saved
  local ok, err = pcall(fn, root)
  package.path = saved
  paths.rmall(root, "yes")
  if not ok then error(err, 0) end
end

describe("torch packages", function()
  it("require 'torch' defines the global paths", function()
    expect.eq(rawget(_G, "paths"), paths)
  end)

  it("packageLuaPath finds a package's directory along package.path", function()
    with_package({ ["pkga/init.lua"] = "return {}", ["single.lua"] = "return 1" }, function(root)
      expect.eq(torch.packageLuaPath("pkga"), root .. "/pkga")
      expect.eq(torch.packageLuaPath("single"), root)
      expect.eq(torch.packageLuaPath("no_such_package_xyz"), nil)
      expect.eq(torch.packageLuaPath(), paths.dirname(torch.packageLuaPath("torch")))
    end)
  end)

  it("include runs package files in order, as Torch-style packages do", function()
    with_package({
      ["pkgb/init.lua"] = "pkgb = {}\ntorch.include('pkgb', 'Thing.lua')\ninclude('More.lua')\nreturn pkgb",
      ["pkgb/Thing.lua"] = "local Thing = torch.class('pkgb.Thing')\n" ..
        "function Thing:__init(v) self.v = v end\nfunction Thing:get() return self.v end",
      ["pkgb/More.lua"] = "pkgb.more = paths.basename(paths.thisfile())",
    }, function()
      local pkgb = require "pkgb"
      expect.eq(pkgb.Thing(3):get(), 3)
      expect.eq(pkgb.more, "More.lua")
      package.loaded.pkgb, _G.pkgb = nil, nil
    end)
    expect.error(function() torch.include("no_such_package_xyz", "a.lua") end,
      "torch.include: package 'no_such_package_xyz' not found on package.path")
  end)

  it("class metatables carry luaT's new, __factory and __constructor", function()
    local Point = torch.class("pkgspec.Point")
    function Point:__init(x, y) self.x, self.y = x, y end
    local mt = torch.getmetatable("pkgspec.Point")
    local p = mt.new(1, 2)
    expect.eq(torch.typename(p), "pkgspec.Point")
    expect.eq(p.x + p.y, 3)
    expect.eq(pkgspec.Point.new(4, 5).y, 5)  -- the constructor table reads the metatable
    local bare = torch.factory("pkgspec.Point")()
    expect.eq(torch.typename(bare), "pkgspec.Point")
    expect.eq(bare.x, nil)
    expect.eq(rawget(mt, "__factory"), torch.factory("pkgspec.Point"))
    expect.eq(rawget(mt, "__constructor"), pkgspec.Point)
    expect.eq(torch.getconstructortable("pkgspec.Point"), pkgspec.Point)
    expect.eq(getmetatable(pkgspec.Point), mt)
    expect.eq(torch.factory("pkgspec.Missing"), nil)
    expect.eq(torch.CmdLine.new ~= nil, true)
  end)

  it("has luaT's small utilities", function()
    local t = {}
    expect.eq(torch.isequal(t, t), true)
    expect.eq(torch.isequal(t, {}), false)
    expect.eq(torch.isequal(1, 1), false)
    expect.same(torch.totable(torch.Tensor({ 1, 2 })), { 1, 2 })
    expect.error(function() torch.totable({}) end, "obj must be a Storage or a Tensor")
    local function f() return x_in_env end
    torch.setenv(f, { x_in_env = 7 })
    expect.eq(f(), 7)
    expect.eq(torch.getenv(f).x_in_env, 7)
    local mt = {}
    torch.metatype("pkgspec.Foreign", mt)
    expect.eq(torch.typename(setmetatable({}, mt)), "pkgspec.Foreign")
    expect.eq(torch.getmetatable("pkgspec.Foreign"), mt)
    expect.error(function() torch.isatty({}) end, "FILE* expected")
    expect.eq(type(torch.isatty(io.stdout)), "boolean")
  end)
end)
