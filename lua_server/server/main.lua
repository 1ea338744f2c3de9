-- The luatorch server: a ZeroMQ ROUTER that serves the Torch7 runtime to clients
-- (bridge/PROTOCOL.md). One request at a time; every request runs under xpcall, so a bad
-- request becomes an error reply and the server keeps serving every other object and client.
local ffi = require "ffi"
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"
local Registry = require "server.registry"
local marshal = require "server.marshal"
local handlers = require "server.dispatch"
local stream = require "server.stream"
local torch = require "torch"
local aten = require "aten"

local type, tostring, error, pcall, xpcall, pairs = type, tostring, error, pcall, xpcall, pairs
local forget_disconnected
local concat = table.concat

ffi.cdef [[ int kill(int pid, int sig); ]]

local USAGE = [[
usage: luatorch-server [--listen ENDPOINT] [--announce] [--allow-shutdown] [--parent-pid PID]
  --listen ENDPOINT   ZeroMQ endpoint to bind (default tcp://127.0.0.1:5555; loopback unless
                      you name another address, e.g. tcp://0.0.0.0:5555)
  --announce          print "LUATORCH-LISTENING <endpoint>" on stdout once bound
  --allow-shutdown    let clients stop the server with a shutdown request
  --parent-pid PID    exit when process PID is gone (private servers of a client)]]

local function parse_args(argv)
  local opts = { listen = "tcp://127.0.0.1:5555" }
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--listen" then opts.listen = argv[i + 1]; i = i + 1
    elseif a == "--announce" then opts.announce = true
    elseif a == "--allow-shutdown" then opts.allow_shutdown = true
    elseif a == "--parent-pid" then opts.parent_pid = tonumber(argv[i + 1]); i = i + 1
    elseif a == "-h" or a == "--help" then print(USAGE); os.exit(0)
    else io.stderr:write("luatorch-server: unknown argument ", tostring(a), "\n", USAGE, "\n"); os.exit(2)
    end
    i = i + 1
  end
  if not opts.listen then io.stderr:write(USAGE, "\n"); os.exit(2) end
  return opts
end

-- print() inside a request goes back to the client with the reply
local real_print = print
local captured
_G.print = function(...)
  if not captured then return real_print(...) end
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  local text = concat(parts, "\t") .. "\n"
  if not stream.write("stdout", text) then captured[#captured + 1] = text end
end

-- io.write inside a request (xlua.progress, Torch7 scripts' own output) is captured alike
local real_write = io.write
io.write = function(...)
  if not captured then return real_write(...) end
  for i = 1, select("#", ...) do
    local piece = select(i, ...)
    if type(piece) == "number" then piece = string.format("%.14g", piece) end
    if type(piece) ~= "string" then
      error("bad argument #" .. i .. " to 'write' (string expected, got " .. type(piece) .. ")", 2)
    end
    captured[#captured + 1] = piece
  end
  return io.stdout
end

local function error_fields(err)
  if type(err) == "table" and err.ename then return err.ename, tostring(err.evalue) end
  return "LuaError", tostring(err)
end

local function traceback(err)
  local ename, evalue = error_fields(err)
  return { ename = ename, evalue = evalue, traceback = debug.traceback(evalue, 2) }
end

local function protocol_error(msg)
  error({ ename = "ProtocolError", evalue = msg }, 0)
end

-- Decode the header; releases are honoured even when the request itself is bad.
local function decode(client, frames)
  local header = zmq.frame_string(frames[1])
  local ok, req, next_pos = pcall(mp.decode, header, marshal.ext_hook(client, frames))
  if ok then
    if next_pos ~= #header + 1 then
      error({ ename = "ProtocolError", id = type(req) == "table" and req.id or nil,
        evalue = string.format("%d trailing bytes after the header map", #header + 1 - next_pos) }, 0)
    end
    return req
  end
  local failure = req
  local ok2, raw = pcall(mp.decode, header, nil)  -- ext markers only: ids and releases
  if ok2 and type(raw) == "table" then
    if type(raw.release) == "table" then
      for _, r in ipairs(raw.release) do
        if type(r) == "table" then client.registry:release(r[1], r[2]) end
      end
    end
    error({ ename = type(failure) == "table" and failure.ename or "ProtocolError",
      evalue = type(failure) == "table" and failure.evalue or tostring(failure), id = raw.id }, 0)
  end
  protocol_error("undecodable header: " .. tostring(type(failure) == "table" and failure.evalue or failure))
end

local function handle(server, client, frames)
  local req = decode(client, frames)
  if type(req) ~= "table" then protocol_error("the header must be a map") end
  if req.v ~= wire.VERSION then
    error({ ename = "ProtocolError", id = req.id, evalue = "unsupported protocol version " ..
      tostring(req.v) .. " (this server speaks " .. wire.VERSION .. ")" }, 0)
  end
  if type(req.release) == "table" then
    for _, r in ipairs(req.release) do
      if type(r) == "table" then client.registry:release(r[1], r[2]) end
    end
  end
  if req.op == "callback_result" then  -- the answer a nested callback loop waits for
    server.callback_results[req.seq] = req
    return nil
  end
  local h = handlers[req.op]
  if not h then error({ ename = "ProtocolError", id = req.id, evalue = "unknown op " .. tostring(req.op) }, 0) end
  server.current_id = req.id
  local results = h(server, req, client)
  local values, out_frames = {}, {}
  for i = 1, results.n do
    local v = results[i]
    if req.op == "value" then
      values[i] = marshal.by_value(client.registry, v, out_frames)
    elseif req.op == "require" or req.as_ref then
      values[i] = marshal.as_ref(client.registry, v)
    else
      values[i] = marshal.to_wire(client.registry, v)
    end
  end
  return { v = wire.VERSION, id = req.id, status = "ok", values = mp.array(values, results.n) }, out_frames
end

local function serve_one(server, sock, frames)
  local identity = zmq.frame_string(frames[1])
  local client = server.clients[identity]
  if not client then
    client = { registry = Registry.new(), identity = identity, server = server }
    server.clients[identity] = client
  end
  if #frames > 1 then client.fd = zmq.source_fd(frames[2]) end
  local body = {}
  for i = 2, #frames do body[i - 1] = frames[i] end
  -- requests can nest (a Python callback's own requests): keep the outer one's state
  local outer_id, outer_captured = server.current_id, captured
  local outer_stream = stream.begin(sock, identity, server)
  server.current_id = nil
  captured = {}
  local ok, reply, out_frames = xpcall(function()
    if #body == 0 then protocol_error("empty message") end
    return handle(server, client, body)
  end, traceback)
  stream.restore(outer_stream)
  if ok and reply == nil then  -- a callback result: no reply is owed
    server.current_id, captured = outer_id, outer_captured
    return
  end
  if not ok then
    local e = reply
    e.v, e.status = wire.VERSION, "error"
    e.id = server.current_id
    if e.id == nil then
      local ok2, raw = pcall(mp.decode, #body > 0 and zmq.frame_string(body[1]) or "", nil)
      if ok2 and type(raw) == "table" then e.id = raw.id end
    end
    reply, out_frames = e, {}
  end
  if #captured > 0 then reply.stdout = concat(captured) end
  server.current_id, captured = outer_id, outer_captured
  local warnings = aten.warnings()
  if warnings then reply.warnings = warnings end
  local ok_enc, header = pcall(mp.encode, reply)
  if not ok_enc then
    header = mp.encode({ v = wire.VERSION, id = reply.id, status = "error", ename = "LuaError",
      evalue = "the result could not be encoded: " .. tostring(header), traceback = "" })
    out_frames = {}
  end
  local parts = { identity, header }
  for i = 1, #out_frames do parts[#parts + 1] = out_frames[i] end
  zmq.send_multipart(sock, parts)  -- a client that went away just misses its reply
end

-- A client whose connection dropped (a notebook kernel restarted, a script killed) never
-- sends `close`: drop its objects when ZeroMQ reports its connection gone.
forget_disconnected = function(server)
  while true do
    local fd = zmq.read_disconnect(server.monitor)
    if fd == nil then return end
    for identity, client in pairs(server.clients) do
      if fd and client.fd == fd then
        client.registry:clear()
        client.gone = true
        server.clients[identity] = nil
      end
    end
  end
end

local function parent_alive(pid)
  return pid == nil or ffi.C.kill(pid, 0) == 0
end

local function main(argv)
  local opts = parse_args(argv)
  local ctx = zmq.context()
  local sock = zmq.socket(ctx, zmq.ROUTER)
  zmq.setsockopt_int(sock, zmq.LINGER, 1000)
  zmq.setsockopt_int(sock, zmq.HEARTBEAT_IVL, 2000)
  zmq.setsockopt_int(sock, zmq.HEARTBEAT_TIMEOUT, 6000)
  local ok, err = zmq.bind(sock, opts.listen)
  if not ok then
    io.stderr:write("luatorch-server: cannot ", err, "\n")
    os.exit(1)
  end
  local endpoint = zmq.last_endpoint(sock) or opts.listen
  io.stderr:write("luatorch server (", torch.runtime, ", libzmq ", zmq.version(), ") listening on ",
    endpoint, "\n")
  if opts.announce then
    io.stdout:write("LUATORCH-LISTENING ", endpoint, "\n")
    io.stdout:flush()
  end
  local server = {
    running = true, clients = {}, allow_shutdown = opts.allow_shutdown,
    torch_version = aten.config.torch_version, sock = sock, marshal = marshal,
    callback_results = {}, monitor = zmq.monitor_disconnects(ctx, sock, "luatorch-monitor"),
  }
  -- serve at most one message; false when the server must stop
  function server.serve_next(timeout_ms)
    local ready, monitor_ready, errno = zmq.poll_in(sock, timeout_ms, server.monitor)
    if ready == nil and errno ~= zmq.EINTR then
      io.stderr:write("luatorch-server: ", monitor_ready, "\n")
      return false
    end
    if monitor_ready then forget_disconnected(server) end
    if ready then
      local frames = zmq.recv_multipart(sock, zmq.DONTWAIT)
      if frames then
        serve_one(server, sock, frames)
        zmq.release(frames)
      end
    elseif not parent_alive(opts.parent_pid) then
      return false
    end
    return server.running
  end
  while server.serve_next(1000) do end
  if server.monitor then zmq.close(server.monitor) end  -- every socket, or term() waits forever
  zmq.close(sock)
  zmq.term(ctx)
end

main(arg or {})
