-- One request, from frames to reply frames (bridge/PROTOCOL.md). Everything a request does
-- runs under xpcall with errors.handler, so a bad request becomes an error reply; the reply
-- path itself cannot raise (errors.lua), so no message can stop the server.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"
local errors = require "server.errors"
local marshal = require "server.marshal"
local handlers = require "server.dispatch"
local Registry = require "server.registry"
local callback = require "server.callback"
local interrupt = require "server.interrupt"
local stream = require "server.stream"
local batch = require "server.batch"
local Promises = require "server.promises"
local torch = require "torch"
local aten = require "aten"

local type, select, xpcall, pcall, ipairs, getmetatable, rawget, format, tonumber =
  type, select, xpcall, pcall, ipairs, getmetatable, rawget, string.format, tonumber
local concat = table.concat
local protocol = errors.protocol

local _M = {}

-- print() and io.write inside a request reach the client while it runs (stream.lua), or
-- with the reply when no stream can be sent; Torch7's progress bars (xlua.progress) draw
-- with io.write and "\r"
local real_print, real_write = print, io.write
local captured

local function output(text)
  if not stream.write("stdout", text) then captured[#captured + 1] = text end
end

_G.print = function(...)
  if not captured then return real_print(...) end
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = errors.describe((select(i, ...))) end
  output(concat(parts, "\t") .. "\n")
end

io.write = function(...)
  if not captured then return real_write(...) end
  local parts = {}
  for i = 1, select("#", ...) do
    local piece = select(i, ...)
    if type(piece) == "number" then piece = format("%.14g", piece) end
    if type(piece) ~= "string" then
      error("bad argument #" .. i .. " to 'write' (string expected, got " .. type(piece) .. ")", 2)
    end
    parts[i] = piece
  end
  output(concat(parts))
  return io.stdout
end

-- Bytes a dropped object held, so that releasing a large tensor triggers a full collection.
-- (read from the handle: obj:storage() would make a storage object per release)
local function storage_bytes(obj)
  if torch.isTensor(obj) or torch.isStorage(obj) then
    return tonumber(aten.C.lt_tensor_storage_nbytes(obj._h))
  end
  return 0
end

local function bytes_held(obj)
  local ok, n = pcall(storage_bytes, obj)  -- (no closure per release: it stops the JIT)
  return ok and type(n) == "number" and n or 0
end

local function release_all(server, client, list)
  if type(list) ~= "table" then return end
  for _, r in ipairs(list) do
    if type(r) == "table" and getmetatable(r) == nil then
      local dropped = client.registry:release(rawget(r, 1), rawget(r, 2))
      if dropped ~= nil then server.memory:dropped(bytes_held(dropped)) end
    end
  end
end

-- A request made for an earlier run of this server (its `epoch`) must not reach objects
-- of this one that happen to have the same ids: it is refused before anything else.
local function check_epoch(server, req, id)
  local epoch = rawget(req, "epoch")
  if epoch ~= nil and epoch ~= server.epoch then
    error({ ename = "ServerRestarted", id = id, evalue = "this request was made for server run "
      .. errors.describe(epoch) .. ", but the server here is run " .. server.epoch
      .. ": the objects it refers to are gone; connect again" }, 0)
  end
end

-- `done` (PROTOCOL.md §2.7): results of batched requests the client has read replies to
local function done_all(client, list)
  if list ~= nil and client.promises then client.promises:done(list) end
end

-- Decode the header; releases are honoured even when the request itself is bad.
local function decode(server, client, frames)
  local limits = server.limits
  if frames[1].size > limits.max_header then
    protocol(format("header frame of %d bytes is longer than the limit of %d", frames[1].size,
      limits.max_header))
  end
  local header = frames[1].text or zmq.frame_string(frames[1])  -- (batch.lua has the string)
  local data_bytes = 0
  for i = 2, #frames do data_bytes = data_bytes + frames[i].size end
  -- (which data frames tensors used: only a message with data frames needs the table)
  frames.used, frames.budget = #frames > 1 and {} or nil, data_bytes + limits.max_header
  local ok, req, next_pos = pcall(mp.decode, header, marshal.ext_hook(client, frames))
  if ok then
    if type(req) ~= "table" then protocol("the header must be a map") end
    local id = errors.valid_id(rawget(req, "id"))
    check_epoch(server, req, id)
    release_all(server, client, rawget(req, "release"))
    done_all(client, rawget(req, "done"))
    if next_pos ~= #header + 1 then
      protocol(format("%d trailing bytes after the header map", #header + 1 - next_pos), id)
    end
    -- a batch's data frames belong to its last request (batch.lua)
    for i = 1, rawget(req, "op") == "batch" and 0 or #frames - 1 do
      if not frames.used[i] then protocol(format("data frame %d is not referred to by any tensor", i), id) end
    end
    return req, id
  end
  -- anything the decoder raised is the request's fault: a ProtocolError unless it named
  -- itself (ReleasedReference)
  local ename, evalue = errors.fields(req)
  if ename == "LuaError" then ename = "ProtocolError" end
  local ok2, raw = pcall(mp.decode, header, nil)  -- ext markers only: ids and releases
  if ok2 and type(raw) == "table" then
    check_epoch(server, raw, errors.valid_id(raw.id))
    release_all(server, client, raw.release)
    done_all(client, raw.done)
    error({ ename = ename, evalue = evalue, id = errors.valid_id(raw.id) }, 0)
  end
  protocol("undecodable header: " .. evalue)
end

-- The data frames of a reply that has none (only `value` replies carry frames; nothing
-- adds to this one)
local NO_FRAMES = {}

-- One result as it goes back: by value (`value`), as a reference (`require`, as_ref), or
-- plain data by value and any other object as a reference.
local function wire_value(req, client, v, out_frames)
  local op = req.op
  if op == "value" then return marshal.by_value(client.registry, v, out_frames) end
  if op == "require" or req.as_ref then return marshal.as_ref(client.registry, v) end
  return marshal.to_wire(client.registry, v)
end

local function handle(server, client, frames, state)
  if #frames == 0 then protocol("empty message") end
  local req, id = decode(server, client, frames)
  state.id = id
  if req.v ~= wire.VERSION then
    protocol("unsupported protocol version " .. errors.describe(req.v) .. " (this server speaks "
      .. wire.VERSION .. ")", id)
  end
  if req.op == "batch" then  -- several requests: batch.lua serves each one
    state.batch = req
    return nil
  end
  if req.op == "callback_result" then  -- the answer a nested callback loop waits for
    callback.answer(server, client, req)
    return nil
  end
  if req.op == "interrupt" then  -- one that arrived while no Lua code ran
    interrupt.receive(client.identity, req)
    return nil
  end
  if id == nil then protocol("a request needs an integer id in [0, 2^64)") end
  local h = type(req.op) == "string" and handlers[req.op]
  if not h then protocol("unknown op " .. errors.describe(req.op), id) end
  if interrupt.take_early(client.identity, id) then
    error({ ename = "Interrupted", evalue = "interrupted by the client before it started" }, 0)
  end
  state.entered, state.token = true, interrupt.enter(client.identity, id)
  local results = h(server, req, client)
  state.results = results
  local values, out_frames = {}, NO_FRAMES
  if req.op == "value" then out_frames = { shared_pid = client.shm_pid } end
  local n = results.n
  if n == 1 then  -- the usual case, without a loop (a loop run once aborts the JIT's traces)
    values[1] = wire_value(req, client, results[1], out_frames)
  else
    for i = 1, n do values[i] = wire_value(req, client, results[i], out_frames) end
  end
  -- the wire values: answer packs them into the reply (no reply table, and no array
  -- marking, unless the reply needs the generic encoder)
  state.nvalues = n
  return values, out_frames
end

function _M.client_of(server, identity)
  local client = server.clients[identity]
  if not client then
    client = { registry = Registry.new(), identity = identity, server = server }
    server.clients[identity] = client
  end
  return client
end

-- The usual reply, {id = n, status = "ok", v = 1, values = [...]}, packed around constant
-- pieces instead of sorting the map's four keys on every request: the same bytes as
-- mp.encode of that reply with values marked an array of n (server_reply_spec), or nil
-- when a value is not a scalar or ext value (then the caller builds the reply table for
-- the generic encoder). id: an integer (errors.valid_id).
local OK_HEAD = "\132\162id"
local OK_MIDDLE = "\166status\162ok\161v" .. mp.encode(wire.VERSION) .. "\166values"

function _M.encode_ok_values(id, values, n)
  return mp.encode_flat_between(OK_HEAD, id, OK_MIDDLE, values, n)
end

-- What print and io.write gave while a request ran, one buffer per nesting depth, reused
-- (emptied after each request) rather than a table per request.
local output_buffers, output_depth = {}, 0

-- One request (body: its header frame, then its data frames) run to its encoded reply
-- header and data frames; nothing when no reply is owed. Afterwards state.id is its id,
-- state.results its results, state.failed its error reply if it failed, and state.batch the
-- header of a batch, whose requests batch.lua runs one by one through this function.
function _M.answer(server, sock, identity, client, body, state)
  -- requests can nest (a Python callback's own requests): keep the outer one's output
  local outer_captured = captured
  local depth = output_depth + 1
  output_depth = depth
  captured = output_buffers[depth]
  if not captured then
    captured = {}
    output_buffers[depth] = captured
  elseif #captured > 0 then  -- left by a request an error took past its end
    for i = #captured, 1, -1 do captured[i] = nil end
  end
  local outer_stream = stream.begin(sock, identity, state)
  -- xpcall with arguments, not a fresh closure: closure creation stops the JIT's traces
  local ok, values, out_frames = xpcall(handle, errors.handler, server, client, body, state)
  stream.restore(outer_stream)
  if state.entered then interrupt.leave(state.token) end
  local output, stdout = captured, nil
  captured, output_depth = outer_captured, depth - 1
  if #output > 0 then
    stdout = concat(output)
    for i = #output, 1, -1 do output[i] = nil end
  end
  if ok and values == nil then marshal.after_send(); return nil end  -- a callback result: no reply is owed
  local warnings = aten.warnings()
  if type(warnings) ~= "string" then warnings = nil end
  if ok and stdout == nil and warnings == nil then  -- the usual reply, packed around constants
    local header = _M.encode_ok_values(state.id, values, state.nvalues)
    if header ~= nil then return header, out_frames end
  end
  local reply
  if ok then
    reply = { v = wire.VERSION, id = state.id, status = "ok",
      values = mp.array(values, state.nvalues) }
  else
    reply, out_frames = errors.reply(values, state.id), {}
    state.failed = reply
  end
  reply.stdout, reply.warnings = stdout, warnings
  local header, encoded = errors.encode_reply(reply)
  if not encoded then out_frames = {} end
  return header, out_frames
end

-- Serve one received message: frames[1] is the ROUTER's identity frame.
function _M.serve(server, sock, frames)
  marshal.settle()  -- tensors of earlier replies stop sharing bytes ZeroMQ has yet to send
  local identity = zmq.frame_string(frames[1])
  local fd = #frames > 1 and zmq.source_fd(frames[2]) or nil
  local known = server.clients[identity]
  if fd and (known == nil or known.fd ~= fd) and server.read_disconnects then
    -- a connection new to the server: disconnects the monitor reported before it (one may be
    -- of an earlier connection that had the same fd number) are handled first, or they would
    -- be taken for this one and drop its objects
    server.read_disconnects()
  end
  local client = _M.client_of(server, identity)
  if fd then client.fd = fd end
  client.sock = sock  -- where its callbacks go (a session worker serves two sockets)
  local body = {}
  for i = 2, #frames do body[i - 1] = frames[i] end
  local state = {}
  local header, out_frames = _M.answer(server, sock, identity, client, body, state)
  if state.batch then
    client.promises = client.promises or Promises.new()
    batch.serve(_M.answer, server, sock, identity, client, state.batch, body)
  elseif header ~= nil then
    local parts = { identity, header }
    for i = 1, #out_frames do parts[#parts + 1] = out_frames[i] end
    zmq.send_multipart(sock, parts)  -- a client that went away just misses its reply
    marshal.after_send()
  end
  if captured then marshal.settle() end  -- nested: the outer request's Lua code resumes
end

return _M
