-- Per-client object registry: the Lua objects a client holds references to.
-- Every time an object is sent to a client it gains one "receipt"; the client returns
-- receipts with `release` (batched), and the object is dropped when none are left.
-- Counting receipts (not proxies) keeps a release that crosses a new send correct.
local setmetatable, error, type, tostring = setmetatable, error, type, tostring

local Registry = {}
Registry.__index = Registry

local next_id = 0  -- ids are unique across all clients of this server

function Registry.new()
  return setmetatable({ objects = {}, ids = {}, receipts = {}, count = 0 }, Registry)
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
  if obj ~= nil then self.ids[obj] = nil end
  self.count = self.count - 1
  return obj
end

function Registry:clear()
  self.objects, self.ids, self.receipts, self.count = {}, {}, {}, 0
end

return Registry
