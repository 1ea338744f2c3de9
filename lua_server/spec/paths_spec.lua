-- paths: expected values derived by hand from torch/paths' paths.c rules (POSIX branch).
local paths = require "paths"

local function scratch()
  local dir = os.tmpname()
  os.remove(dir)
  assert(paths.mkdir(dir))
  return dir
end

local function touch(file)
  local f = assert(io.open(file, "w"))
  f:write("x")
  f:close()
end

describe("paths names", function()
  it("is the global paths, as Torch7's require 'paths' made it", function()
    expect.eq(rawget(_G, "paths"), paths)
  end)

  it("concat starts at the current directory and resolves . and ..", function()
    local cwd = paths.cwd()
    expect.eq(paths.concat(), cwd)
    expect.eq(paths.concat("a", "b"), cwd .. "/a/b")
    expect.eq(paths.concat("/x//y/", "./z/../w/"), "/x/y/w")
    expect.eq(paths.concat("/a", "/b"), "/b")
    expect.eq(paths.concat("/", ".."), "/")
    expect.eq(paths.concat("/a/b", "..", "..", "c.lua"), "/c.lua")
  end)

  it("dirname keeps everything before the last inner slash", function()
    expect.eq(paths.dirname("/a/b/c.lua"), "/a/b")
    expect.eq(paths.dirname("/a/b/"), "/a")
    expect.eq(paths.dirname("/a"), "/")
    expect.eq(paths.dirname("/"), "/")
    expect.eq(paths.dirname("name"), ".")
    expect.eq(paths.dirname("a//b"), "a/")
  end)

  it("basename takes the last component and strips a matching suffix", function()
    expect.eq(paths.basename("/a/b/c.lua"), "c.lua")
    expect.eq(paths.basename("/a/b/c.lua", "lua"), "c")
    expect.eq(paths.basename("/a/b/c.lua", ".lua"), "c")
    expect.eq(paths.basename("/a/b/c.lua", "t7"), "c.lua")
    expect.eq(paths.basename("a/b/"), "b")
    expect.eq(paths.basename("lua", "lua"), "lua")  -- the name must be longer than the suffix
    expect.eq(paths.basename(".lua", "lua"), "")
  end)

  it("extname is the text after the last dot anywhere, or nil", function()
    expect.eq(paths.extname("model.t7"), "t7")
    expect.eq(paths.extname("a.tar.gz"), "gz")
    expect.eq(paths.extname("noext"), nil)
    expect.eq(paths.extname("dir.d/file"), "d/file")
  end)

  it("names errors in bad arguments", function()
    expect.error(function() paths.dirname(nil) end, "bad argument #1 to 'dirname' (string expected, got nil)")
  end)
end)

describe("paths on the file system", function()
  it("tells files from directories", function()
    local dir = scratch()
    local file = dir .. "/f.txt"
    touch(file)
    expect.eq(paths.filep(file), true)
    expect.eq(paths.dirp(file), false)
    expect.eq(paths.dirp(dir), true)
    expect.eq(paths.filep(dir), false)
    expect.eq(paths.filep(dir .. "/missing"), false)
    paths.rmall(dir, "yes")
  end)

  it("mkdir makes parents, reports errors with errno; rmall needs 'yes'", function()
    local dir = scratch()
    expect.eq(paths.mkdir(dir .. "/a/b/c"), true)
    expect.eq(paths.dirp(dir .. "/a/b/c"), true)
    local ok, msg, errno = paths.mkdir(dir .. "/a")
    expect.eq(ok, nil)
    expect.eq(msg, dir .. "/a: File exists")
    expect.eq(errno, 17)
    touch(dir .. "/a/b/f")
    local none, why = paths.rmall(dir, "no")
    expect.eq(none, nil)
    expect.eq(why, "missing second argument ('yes')")
    expect.eq(paths.rmdir(dir .. "/a/b") , nil)  -- not empty
    expect.eq(paths.rmall(dir, "yes"), true)
    expect.eq(paths.dirp(dir), false)
  end)

  it("lists entries with dir/files and subdirectories and files with iterdirs/iterfiles", function()
    local dir = scratch()
    touch(dir .. "/x.lua")
    touch(dir .. "/y.t7")
    paths.mkdir(dir .. "/sub")
    local all = paths.dir(dir)
    table.sort(all)
    expect.same(all, { ".", "..", "sub", "x.lua", "y.t7" })
    local lua = {}
    for f in paths.files(dir, "%.lua$") do lua[#lua + 1] = f end
    expect.same(lua, { "x.lua" })
    local files, dirs = {}, {}
    for f in paths.iterfiles(dir) do files[#files + 1] = f end
    for d in paths.iterdirs(dir) do dirs[#dirs + 1] = d end
    table.sort(files)
    expect.same(files, { "x.lua", "y.t7" })
    expect.same(dirs, { "sub" })
    expect.eq(paths.dir(dir .. "/none"), nil)
    expect.error(function() paths.files(dir, 3) end, "Expecting optional arg 2 to be function or string. Got : number")
    local picked = {}
    for f in paths.files(dir, function(name) return name:sub(1, 1) == "y" end) do picked[#picked + 1] = f end
    expect.same(picked, { "y.t7" })
    local n = 0
    for _ in paths.files(dir .. "/none") do n = n + 1 end
    expect.eq(n, 0)
    paths.rmall(dir, "yes")
  end)

  it("thisfile and dofile resolve against the calling file", function()
    local dir = scratch()
    local f = io.open(dir .. "/helper.lua", "w")
    f:write("return 40 + 2")
    f:close()
    local main = io.open(dir .. "/main.lua", "w")
    main:write("return paths.thisfile(), paths.thisfile('helper.lua'), paths.dofile('helper.lua')")
    main:close()
    local this, sibling, value = dofile(dir .. "/main.lua")
    expect.eq(this, dir .. "/main.lua")
    expect.eq(sibling, dir .. "/helper.lua")
    expect.eq(value, 42)
    paths.rmall(dir, "yes")
  end)

  it("knows the system, home, a temporary name and programs on PATH", function()
    local sys, node, machine = paths.uname()
    expect.eq(sys, "Linux")
    expect.truthy(#node > 0 and #machine > 0)
    expect.eq(paths.is_win(), nil)
    expect.eq(paths.is_mac(), nil)
    expect.eq(paths.home, os.getenv("HOME"))
    local tmp = paths.tmpname()
    expect.truthy(tmp:match("^/tmp/"), tmp)
    expect.eq(paths.findprogram("no-such-program-xyz", "sh"), paths.concat(paths.dirname(paths.findprogram("sh")), "sh"))
    expect.eq(paths.findprogram("no-such-program-xyz"), nil)
    expect.truthy(paths.filep(paths.execdir() .. "/th"))
    expect.eq(paths.install_lua_path, paths.install_prefix .. "/share/lua/5.1")
  end)

  it("require loads a C module from package.cpath", function()
    local saved = package.loaded.cjson
    package.loaded.cjson = nil
    local cjson = paths.require("cjson")
    expect.eq(cjson.encode({ 1, 2 }), "[1,2]")
    expect.eq(package.loaded.cjson, cjson)
    expect.eq(paths.require("cjson"), cjson)
    package.loaded.cjson = saved or cjson
    expect.error(function() paths.require("no_such_c_module_xyz") end, "module 'no_such_c_module_xyz' not found")
  end)
end)
