-- A client's references (server/registry.lua) and the values they travel as (marshal.lua):
-- every send adds a receipt, the object goes when the client returned them all, and the
-- value a reference travels as is made once per object and type name, not per send.
require "torch"
local mp = require "server.msgpack"
local wire = require "server.wire"
local marshal = require "server.marshal"
local Registry = require "server.registry"

local function sent(registry, obj)
  local value = marshal.to_wire(registry, obj)
  expect.truthy(mp.is_ext(value), "a reference")
  expect.eq(value.code, wire.EXT_REF)
  return value, wire.unpack_ref(value.payload)
end

describe("references sent to a client", function()
  it("counts a receipt per send, reusing the wire value, until all are returned", function()
    local registry, t = Registry.new(), torch.DoubleTensor(2)
    local first, id = sent(registry, t)
    local again, id2 = sent(registry, t)
    expect.eq(id2, id); expect.truthy(again == first, "the same value, not a new one")
    expect.eq(select(2, wire.unpack_ref(first.payload)), "torch.DoubleTensor")
    expect.eq(registry:release(id, 1), nil, "one receipt is still out")
    expect.truthy(registry:get(id) == t)
    expect.truthy(registry:release(id, 1) == t, "the last receipt drops it")
    expect.eq(registry:get(id), nil); expect.eq(registry.count, 0)
    local _, id3 = sent(registry, t)
    expect.truthy(id3 ~= id, "sent again after the drop: a new id")
  end)

  it("makes a new wire value when the object's type name changed", function()
    local registry = Registry.new()
    local obj = {}
    torch.class("spec.RegistryA"); torch.class("spec.RegistryB")
    setmetatable(obj, torch.getmetatable("spec.RegistryA"))
    local a, id = sent(registry, obj)
    setmetatable(obj, torch.getmetatable("spec.RegistryB"))
    local b, id2 = sent(registry, obj)
    expect.eq(id2, id)
    expect.eq(select(2, wire.unpack_ref(a.payload)), "spec.RegistryA")
    expect.eq(select(2, wire.unpack_ref(b.payload)), "spec.RegistryB")
  end)

  it("forgets every wire value when the client's references are cleared", function()
    local registry, t = Registry.new(), torch.FloatTensor(1)
    local _, id = sent(registry, t)
    registry:clear()
    expect.eq(next(registry.wire), nil); expect.eq(registry:get(id), nil)
  end)
end)
