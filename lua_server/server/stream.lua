-- Output while a request runs (PROTOCOL.md §2.3): what Lua prints reaches the client at
-- once, as a `stream` message to the connection whose request is running, instead of only
-- with the reply. Nested requests (a Python callback's own) stream to the same client.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"

local pcall, select, tostring, concat = pcall, select, tostring, table.concat

local M = {}

local current  -- { sock, identity, server } of the request now running, or nil

-- Start streaming to the client of the request about to run; returns what to restore.
function M.begin(sock, identity, server)
  local outer = current
  current = { sock = sock, identity = identity, server = server }
  return outer
end

function M.restore(outer)
  current = outer
end

-- Send text as a stream message; false when no request is running (print as usual).
-- A message that cannot be sent is lost like a reply to a departed client.
function M.write(name, text)
  local to = current
  if not to then return false end
  local ok, header = pcall(mp.encode, { v = wire.VERSION, op = "stream", name = name, text = text,
    request = to.server.current_id })
  if ok then zmq.send_multipart(to.sock, { to.identity, header }) end
  return true
end

-- io.write during a request streams too: Torch7's progress bars (xlua.progress) draw
-- with io.write and "\r".
local real_write = io.write
io.write = function(...)
  if not current then return real_write(...) end
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  M.write("stdout", concat(parts))
  return io.stdout
end

return M
