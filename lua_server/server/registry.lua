-- Per-client object registry: the Lua objects a client holds references to.
-- Every time an object is sent to a client it gains one "receipt"; the client returns
-- receipts with `release` (batched), and the object is dropped when none are left.
-- Counting receipts (not proxies) keeps a release that crosses a new send correct.
local setmetatable, error, type, tostring = setmetatable, error, type, tostring

local Registry = {}
Registry.__index = Registry

local next_id = 0  -- ids are unique across all clients of this server

-- wire[id], wire_type[id]: the value a reference to object id travels as, kept while the
-- client holds it (see Registry:wire_value), and the type name it was made for
function Registry.new()
  return setmetatable({ objects = {}, ids = {}, receipts = {}, count = 0, wire = {},
    wire_type = {} }, Registry)
end

-- The id of obj for this client, adding one receipt.
function Registry:ref(obj)
  local id = self.ids[obj]
  if not id then
    next_id = next_id + 1
    id = next_id
    self.ids[obj], self.objects[id], self.receipts[id] = id, obj, 0
    self.count = self.count + 1
  end
  self.receipts[id] = self.receipts[id] + 1
  return id
end

-- The object behind id, or nil, "message" when the client no longer holds it.
function Registry:get(id)
  local obj = self.objects[id]
  if obj == nil then
    return nil, "reference " .. tostring(id) .. " is unknown or was released"
  end
  return obj
end

-- Returns the object when its last receipt went, so the caller can account for its memory.
function Registry:release(id, count)
  if type(count) ~= "number" or count ~= count then count = 1 end
  local left = self.receipts[id]
  if not left then return nil end
  left = left - count
  if left > 0 then
    self.receipts[id] = left
    return
  end
  local obj = self.objects[id]
  self.objects[id], self.receipts[id] = nil, nil
  self.wire[id], self.wire_type[id] = nil, nil
  if obj ~= nil then self.ids[obj] = nil end
  self.count = self.count - 1
  return obj
end

function Registry:clear()
  self.objects, self.ids, self.receipts, self.count = {}, {}, {}, 0
  self.wire, self.wire_type = {}, {}
end

-- A reference to obj as it goes to the client, adding one receipt: make(id, typename)
-- builds it the first time; later sends of the same object reuse it (an object sent in
-- every reply, a module's output, costs no new payload string and ext value each time).
-- A new one is made should the object's type name change (its metatable was replaced).
function Registry:wire_value(obj, typename, make)
  local id = self:ref(obj)
  local value = self.wire[id]
  if value == nil or self.wire_type[id] ~= typename then
    value = make(id, typename)
    self.wire[id], self.wire_type[id] = value, typename
  end
  return value
end

return Registry
