-- Python functions passed to Lua (ext 3): calling one sends a `callback` message to the
-- client that owns it and runs a nested serving loop until that client answers with
-- `callback_result`. Requests the Python function makes meanwhile (net:forward ...) are
-- served by the nested loop, so optim.sgd can take a Python feval.
local mp = require "server.msgpack"
local wire = require "server.wire"
local zmq = require "server.zmq"
local interrupt = require "server.interrupt"

local setmetatable, error, select, type, tostring, unpack = setmetatable, error, select, type, tostring, unpack
local M = {}

local PythonFunction = { __typename = "python.function" }
PythonFunction.__index = PythonFunction

local next_seq = 0

function PythonFunction.__tostring(self)
  return "python.function #" .. self.cid
end

-- Waits for the answer to callback seq, serving other requests meanwhile.
local function await(server, client, seq)
  while true do
    local result = server.callback_results[seq]
    if result then return result end
    if not server.serve_next(1000) then
      return nil, "the server stopped while waiting for a Python function"
    end
    if client.gone then return nil, "the client that owns this Python function disconnected" end
  end
end

function PythonFunction.__call(self, ...)
  local server, client = self.server, self.client
  next_seq = next_seq + 1
  local seq = next_seq
  local args = {}
  local n = select("#", ...)
  for i = 1, n do args[i] = server.marshal.to_wire(client.registry, (select(i, ...))) end
  local header = mp.encode({ v = wire.VERSION, op = "callback", callback = self.cid, seq = seq,
    args = mp.array(args, n) })
  server.callback_owner[seq] = client
  -- (by the socket the client's requests come by: a session worker has two, loop.lua)
  local ok, err = interrupt.outside_lua(zmq.send_multipart, client.sock or server.sock,
    { client.identity, header })
  local result
  if ok then result, err = interrupt.outside_lua(await, server, client, seq) end
  server.callback_owner[seq], server.callback_results[seq] = nil, nil
  if not result then error("cannot call the Python function: " .. tostring(err), 2) end
  if result.status ~= "ok" then
    error(string.format("Python function raised %s: %s\n%s", tostring(result.ename),
      tostring(result.evalue), tostring(result.traceback or "")), 2)
  end
  local values = type(result.values) == "table" and result.values or {}
  return unpack(values, 1, mp.array_length(values) or #values)
end

-- A callback_result request: kept only when it answers a call this client was sent and
-- that is still waiting; anything else (unsolicited, another client's, a repeat) is dropped,
-- so nothing a client sends can grow the server's memory.
function M.answer(server, client, req)
  local seq = req.seq
  if type(seq) == "number" and server.callback_owner[seq] == client
    and server.callback_results[seq] == nil then
    server.callback_results[seq] = req
  end
end

function M.new(server, client, cid)
  return setmetatable({ server = server, client = client, cid = cid }, PythonFunction)
end

function M.unpack_cid(payload)
  if #payload ~= 8 then error("wire: a client function reference needs 8 bytes, got " .. #payload, 0) end
  local cid = 0
  for i = 1, 8 do cid = cid * 256 + payload:byte(i) end
  return cid
end

return M
