-- The server packs its usual reply ({id, status = "ok", v, values}) around constant pieces
-- (serve.lua, encode_ok_values): the bytes must be exactly what the generic encoder gives,
-- for every kind of value it takes, and a value it does not take (a table) must leave the
-- generic path to encode the reply.
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
      ok_reply(7, { 1, nil }, 2),
      ok_reply(2 ^ 32 + 5, { mp.ext(wire.EXT_REF, wire.pack_ref(7, "torch.DoubleTensor")) }),
    }
    for i, reply in ipairs(cases) do
      local n = mp.array_length(reply.values)
      expect.eq(serve.encode_ok_values(reply.id, reply.values, n), mp.encode(reply), "case " .. i)
    end
  end)

  it("gives nil for tables and values msgpack cannot carry, so the generic path has them", function()
    expect.eq(serve.encode_ok_values(3, { mp.array({ 1, 2, 3 }, 3), mp.map({ a = 1 }) }, 2), nil)
    expect.eq(serve.encode_ok_values(4, { function() end }, 1), nil)
  end)
end)
