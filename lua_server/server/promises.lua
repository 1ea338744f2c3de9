-- Results kept for promise pipelining (bridge/PROTOCOL.md §2.7): the results of each request
-- of a batch stay here, under its request id, until the client says it has read the reply
-- (`done`); until then a later request may use them through a promise (ext 4) before the
-- client has seen them. Per client, so a promise can only name that client's own results.
-- Bounded: at most MAX entries are remembered, the oldest going first, so a client that
-- never acknowledges cannot grow the server's memory.
local setmetatable, type, rawget, error, format, floor = setmetatable, type, rawget, error,
  string.format, math.floor

local Promises = { MAX = 4096 }
Promises.__index = Promises

local function broken(evalue)
  error({ ename = "PromiseBroken", evalue = evalue }, 0)
end

function Promises.new()
  -- order: a queue of kept ids (head..tail), so that the oldest entry goes first when full
  -- count: entries kept now (the ping reply reports it)
  return setmetatable({ entries = {}, order = {}, head = 1, tail = 0, count = 0 }, Promises)
end

local function forget(self, id)
  if self.entries[id] ~= nil then
    self.entries[id], self.count = nil, self.count - 1
  end
end

local function remember(self, id, entry)
  forget(self, id)
  local tail = self.tail + 1
  self.entries[id], self.order[tail], self.tail, self.count = entry, id, tail, self.count + 1
  if tail - self.head + 1 > Promises.MAX then
    local oldest = self.order[self.head]
    self.order[self.head], self.head = nil, self.head + 1
    if oldest ~= id then forget(self, oldest) end
  end
end

-- The results (a packed list {n = count, ...}) of request id.
function Promises:keep(id, results)
  remember(self, id, results)
end

-- Request id failed: promises of its results break, naming why.
function Promises:fail(id, ename, evalue)
  remember(self, id, { failed = true, ename = ename, evalue = evalue })
end

-- The client has read these replies: their results are no longer needed here. Anything that
-- is not a list of ids is ignored, as `release` is.
function Promises:done(list)
  if type(list) ~= "table" then return end
  local entries = self.entries
  for i = 1, #list do
    local id = rawget(list, i)
    if type(id) == "number" then forget(self, id) end
  end
  -- drop acknowledged ids from the front of the queue (replies are read mostly in order)
  local order, head = self.order, self.head
  while head <= self.tail and entries[order[head]] == nil do
    order[head], head = nil, head + 1
  end
  self.head = head
end

-- What a promise of request id stands for: with index, its index-th result; without, what the
-- client's value of the call is (nil for none, the result for one, an array of them for more).
function Promises:resolve(id, index)
  local entry = self.entries[id]
  if entry == nil then
    broken(format("no result of request %.0f is kept here: it was not made in a batch, its "
      .. "reply was already read, or more than %d results were waiting", id, Promises.MAX))
  end
  if entry.failed then
    broken(format("request %.0f, whose result this call uses, failed: %s: %s", id,
      entry.ename, entry.evalue))
  end
  if index then return entry[index] end
  if entry.n == 1 then return entry[1] end
  if entry.n == 0 then return nil end
  local all = {}
  for i = 1, entry.n do all[i] = entry[i] end
  return all
end

-- The ext 4 payload: an 8-byte big-endian request id, optionally a 4-byte 1-based index.
function Promises.unpack(payload)
  local n = #payload
  if n ~= 8 and n ~= 12 then
    error("wire: a promise needs an 8-byte request id and an optional 4-byte index, got "
      .. n .. " bytes", 0)
  end
  local id = 0
  for i = 1, 8 do id = id * 256 + payload:byte(i) end
  if n == 8 then return id, nil end
  local index = 0
  for i = 9, 12 do index = index * 256 + payload:byte(i) end
  if index < 1 then error("wire: a promise's result index starts at 1, got 0", 0) end
  return id, floor(index)
end

return Promises
