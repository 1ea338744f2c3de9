-- The request handlers of bridge/PROTOCOL.md. Each takes (client, request) and returns
-- the Lua results as a packed list {n = count, ...}; errors propagate to the server loop,
-- which turns them into error replies.
local torch = require "torch"

local type, error, tostring, select, unpack, pairs = type, error, tostring, select, unpack, pairs
local mp = require "server.msgpack"

local H = {}

local function pack(...)
  return { n = select("#", ...), ... }
end

local function args_of(req)
  local a = req.args
  if a == nil then return {}, 0 end
  if type(a) ~= "table" then error({ ename = "ProtocolError", evalue = "args must be an array" }, 0) end
  return a, mp.array_length(a) or #a
end

local function need(req, field, kind)
  local v = req[field]
  if v == nil or (kind and type(v) ~= kind) then
    error({ ename = "ProtocolError", evalue = string.format("%s request needs a %s field '%s'",
      tostring(req.op), kind or "value", field) }, 0)
  end
  return v
end

local function describe(obj)
  return torch.typename(obj) or type(obj)
end

function H.ping(server, req, client)
  local clients = 0
  for _ in pairs(server.clients) do clients = clients + 1 end
  -- a client that asks (`direct`) is offered its session worker's own socket (direct.lua)
  local direct
  if req.direct == true and server.direct_endpoint then
    direct, server.offered[client.identity] = server.direct_endpoint, true
  end
  return pack({ protocol = 1, server = "luatorch", torch = server.torch_version,
    refs = client.registry.count, clients = clients, epoch = server.epoch,
    promises = client.promises and client.promises.count or 0, direct = direct })
end

function H.require(_, req)
  return pack(require(need(req, "name", "string")))
end

function H.global(_, req)
  return pack(_G[need(req, "name", "string")])
end

function H.get(_, req)
  local target = need(req, "target")
  return pack(target[need(req, "key")])
end

function H.set(_, req)
  local target = need(req, "target")
  target[need(req, "key")] = req.value
  return pack()
end

function H.call(_, req)
  local target = need(req, "target")
  local args, n = args_of(req)
  return pack(target(unpack(args, 1, n)))
end

function H.method(_, req)
  local target = need(req, "target")
  local name = need(req, "name", "string")
  local f = target[name]
  if f == nil then
    error(string.format("%s has no method '%s'", describe(target), name), 0)
  end
  local args, n = args_of(req)
  return pack(f(target, unpack(args, 1, n)))
end

-- construct {class = "nn.Linear", args}: look the dotted name up from _G and call it
function H.construct(_, req)
  local name = need(req, "class", "string")
  local cls = _G
  for part in name:gmatch("[^%.]+") do
    cls = type(cls) == "table" and cls[part] or nil
  end
  if cls == nil then error("unknown class " .. name, 0) end
  local args, n = args_of(req)
  return pack(cls(unpack(args, 1, n)))
end

-- Compiled chunks by code string: a Python loop evaluating the same expression compiles
-- it once. Bounded: cleared when full, so generated code cannot grow it without limit.
local CHUNK_CACHE_MAX = 512
local chunks, chunk_count = {}, 0

local function compile(code, chunkname)
  local f = chunks[code]
  if f then return f end
  local err
  -- an expression first (eval "1 + 2"), unless the code is already a return statement
  if not code:find("^%s*return[^%w_]") and not code:find("^%s*return$") then
    f = loadstring("return " .. code, chunkname)
  end
  if not f then f, err = loadstring(code, chunkname) end
  if not f then error(err, 0) end
  if chunk_count >= CHUNK_CACHE_MAX then chunks, chunk_count = {}, 0 end
  chunks[code], chunk_count = f, chunk_count + 1
  return f
end

function H.eval(_, req)
  return pack(compile(need(req, "code", "string"), "=eval")())
end

function H.execute(_, req)
  local f, err = loadstring(need(req, "code", "string"), "=execute")
  if not f then error(err, 0) end
  return pack(f())
end

function H.value(_, req)
  return pack(need(req, "target"))
end

function H.release()
  return pack()
end

function H.close(server, _, client)
  client.registry:clear()
  client.promises = nil  -- results kept for promises hold objects too
  server.memory:client_gone()
  return pack()
end

function H.shutdown(server)
  if not server.allow_shutdown then
    error("this server was not started with --allow-shutdown", 0)
  end
  server.running, server.shutdown_requested = false, true
  return pack()
end

-- Notebook support (issue 11): describing and showing objects, the user's own Lua files.
for op, handler in pairs(require "server.introspect") do H[op] = handler end
for op, handler in pairs(require "server.userfiles") do H[op] = handler end

-- Tensors in a local client's shared memory (issue 10; server/shared.lua)
local shared = require "server.shared"
H.shm_nonce, H.shm_attach = shared.nonce, shared.attach

return H
