-- When to run a full garbage collection. Lua's incremental collector only runs as Lua
-- allocates, and a tensor costs Lua a few bytes however large its ATen storage is: a
-- client's released gigabyte would otherwise wait for ~1,000 later requests, or forever
-- on an idle server. So: collect as soon as released tensors add up to `threshold`
-- bytes, when a client goes, and when the server falls idle with anything released.
local collectgarbage = collectgarbage

local Memory = {}
Memory.__index = Memory

function Memory.new(threshold)
  return setmetatable({ threshold = threshold, released = 0, dirty = false }, Memory)
end

-- Two cycles: the first runs the finalizers of dropped tensors, whose ATen handles
-- only become garbage then (measured: one cycle leaves a released gigabyte resident).
function Memory:collect()
  collectgarbage("collect")
  collectgarbage("collect")
  self.released, self.dirty = 0, false
end

-- an object left the registries; bytes: what its tensor storage held (0 if none)
function Memory:dropped(bytes)
  self.released, self.dirty = self.released + bytes, true
end

-- a client's objects were all dropped at once (close, disconnect)
function Memory:client_gone() self.dirty, self.released = true, self.threshold end

-- after each message: collect now if enough was released
function Memory:after_message()
  if self.released >= self.threshold then self:collect() end
end

-- when no message came for a while
function Memory:idle()
  if self.dirty then self:collect() end
end

return Memory
