-- Output while a request runs (PROTOCOL.md §2.6): what Lua prints reaches the client at
-- once, as a `stream` message to the connection whose request is running, instead of only
-- with the reply. Nested requests (a Python callback's own) stream to the same client.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"

local pcall, select, tostring, type, concat = pcall, select, tostring, type, table.concat

local M = {}

local running  -- { sock, identity, state } of the request now running, or nil
-- one record per nesting depth, reused by every request at that depth (no table per
-- request for the collector); the depth is read from the outer record, so a nested
-- request that never restored cannot shift it
local records = {}

-- Start streaming to the client of the request about to run (`state.id` is its request
-- id once decoded); returns what to restore.
function M.begin(sock, identity, state)
  local outer = running
  local depth = outer and outer.depth + 1 or 1
  local record = records[depth]
  if not record then
    record = { depth = depth }
    records[depth] = record
  end
  record.sock, record.identity, record.state = sock, identity, state
  running = record
  return outer
end

function M.restore(outer)
  local record = running
  if record then record.sock, record.identity, record.state = nil, nil, nil end  -- nothing kept alive
  running = outer
end

-- Send one stream message to the running request's client; false when none is running.
-- A message that cannot be sent is lost like a reply to a departed client.
local function send(message)
  local to = running
  if not to then return false end
  message.v, message.op, message.request = wire.VERSION, "stream", to.state.id
  local ok, header = pcall(mp.encode, message)
  if ok then zmq.send_multipart(to.sock, { to.identity, header }) end
  return true
end

-- Text for the client's stdout (or stderr); false when no request is running.
function M.write(name, text)
  return send({ name = name, text = text })
end

-- Progress of a loop (step current of total), drawn by the client as a progress bar;
-- `text`, when given, is how the loop draws itself in a terminal (xlua.progress's bar),
-- which a client without a bar of its own writes out.
function M.progress(current, total, text)
  if type(current) ~= "number" or type(total) ~= "number" then
    error("stream.progress(current, total) takes two numbers", 2)
  end
  if text ~= nil and type(text) ~= "string" then
    error("stream.progress(current, total, text): text must be a string", 2)
  end
  return send({ name = "progress", current = current, total = total, text = text })
end

return M
