-- The server packs its usual reply ({id, status = "ok", v, values}) from constant pieces
-- (serve.lua, encode_ok_reply): the bytes must be exactly what the generic encoder gives,
-- for every kind of value a reply carries, and a value that cannot be encoded must leave
-- the generic path to report it.
require "torch"
local mp = require "server.msgpack"
local wire = require "server.wire"
local serve = require "server.serve"

local function ok_reply(id, values, n)
  return { v = wire.VERSION, id = id, status = "ok", values = mp.array(values, n or #values) }
end

describe("the server's usual reply", function()
  it("packs to the generic encoder's bytes for ids and values of every kind", function()
    local cases = {
      ok_reply(1, { 1 }),
      ok_reply(0, {}, 0),
      ok_reply(127, { "text", true, false }),
      ok_reply(128, { 1.5, -3, 2 ^ 40 }),
      ok_reply(65536, { nil, 2 }, 2),
      ok_reply(2 ^ 32 + 5, { mp.ext(wire.EXT_REF, wire.pack_ref(7, "torch.DoubleTensor")) }),
      ok_reply(3, { mp.array({ 1, 2, 3 }, 3), mp.map({ a = 1, b = "x" }) }),
    }
    for i, reply in ipairs(cases) do
      expect.eq(serve.encode_ok_reply(reply), mp.encode(reply), "case " .. i)
    end
  end)

  it("gives nil for a value msgpack cannot carry, so the generic path reports it", function()
    expect.eq(serve.encode_ok_reply(ok_reply(4, { function() end })), nil)
  end)
end)
