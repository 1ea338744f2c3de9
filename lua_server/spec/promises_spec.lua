-- Results kept for promise pipelining (server/promises.lua, PROTOCOL.md §2.7).
local Promises = require "server.promises"

local function pack(...) return { n = select("#", ...), ... } end

local function payload(id, index)
  local s = ""
  for _ = 1, 8 do s = string.char(id % 256) .. s; id = math.floor(id / 256) end
  if index then s = s .. string.char(0, 0, math.floor(index / 256), index % 256) end
  return s
end

-- the error a resolve raises, as {ename, evalue}
local function broken(p, id, index)
  local ok, err = pcall(p.resolve, p, id, index)
  expect.truthy(not ok, "resolve raised")
  return err
end

describe("promises", function()
  it("stand for the call's value: nil, the one result, or an array of the results", function()
    local p = Promises.new()
    local t = {}
    p:keep(1, pack()); p:keep(2, pack(t)); p:keep(3, pack(7, nil, "x"))
    expect.eq(p:resolve(1), nil)
    expect.eq(p:resolve(2), t)
    expect.same(p:resolve(3), { 7, nil, "x" })
    expect.eq(p:resolve(3, 3), "x")
    expect.eq(p:resolve(3, 2), nil)
    expect.eq(p.count, 3)
  end)

  it("break with PromiseBroken naming the failed request and its error", function()
    local p = Promises.new()
    p:fail(12, "LuaError", "eval:1: boom")
    local err = broken(p, 12)
    expect.eq(err.ename, "PromiseBroken")
    expect.eq(err.evalue, "request 12, whose result this call uses, failed: LuaError: eval:1: boom")
  end)

  it("are forgotten once the client read the reply (done), and unknown ids break", function()
    local p = Promises.new()
    p:keep(5, pack(1)); p:keep(6, pack(2))
    p:done({ 5, "junk", 99 })
    expect.eq(p.count, 1)
    expect.truthy(broken(p, 5).evalue:find("no result of request 5 is kept here", 1, true))
    expect.eq(p:resolve(6), 2)
    p:done({ 6 })
    expect.eq(p.count, 0)
    expect.eq(p.head, p.tail + 1, "the queue is empty too")
    p:done("not a list")  -- ignored, as `release` is
  end)

  it("keep at most MAX results, the oldest going first", function()
    local p = Promises.new()
    for id = 1, Promises.MAX + 10 do p:keep(id, pack(id)) end
    expect.eq(p.count, Promises.MAX)
    expect.eq(p.tail - p.head + 1, Promises.MAX)
    broken(p, 10)
    expect.eq(p:resolve(11), 11)
    expect.eq(p:resolve(Promises.MAX + 10), Promises.MAX + 10)
  end)

  it("unpack an 8-byte id and an optional 4-byte index, refusing anything else", function()
    expect.same({ Promises.unpack(payload(2 ^ 40 + 3)) }, { 2 ^ 40 + 3 })
    expect.same({ Promises.unpack(payload(9, 258)) }, { 9, 258 })
    expect.error(function() Promises.unpack("1234567") end, "a promise needs an 8-byte request id")
    expect.error(function() Promises.unpack(payload(9, 0)) end, "index starts at 1")
  end)
end)
