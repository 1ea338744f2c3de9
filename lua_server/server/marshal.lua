-- Lua values <-> wire values (bridge/PROTOCOL.md): plain data by value, every other
-- object (tensors, modules, functions, tables with metatables) as a remote reference,
-- tensors from the client by value (ext 2, data inline or in a frame).
local ffi = require "ffi"
local mp = require "server.msgpack"
local wire = require "server.wire"
local torch = require "torch"
local core = require "torch.core"
local types = require "torch.types"
local aten = require "aten"
local blob = require "aten.blob"
local zmq = require "server.zmq"

local callback = require "server.callback"
local shared = require "server.shared"
local Promises = require "server.promises"

local C = aten.C
local type, getmetatable, pairs, error, tostring = type, getmetatable, pairs, error, tostring
local M = { EXT_CLIENT_FUNCTION = 3, EXT_PROMISE = 4 }
local SMALL_TENSOR = 64 * 1024

local function typename_of(v)
  return torch.typename(v) or type(v)
end

local function make_ref(id, typename)
  return mp.ext(wire.EXT_REF, wire.pack_ref(id, typename))
end

local function ref(registry, v)
  return registry:wire_value(v, typename_of(v), make_ref)
end

-- A plain table goes by value unless it is cyclic or too deep; then as a reference.
local function plain(registry, t, seen, depth)
  if seen[t] or depth > 32 then return nil end
  seen[t] = true
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  local out
  if n == #t then
    out = {}
    for i = 1, n do
      local v = M.to_wire(registry, t[i], seen, depth + 1)
      if v == nil and t[i] ~= nil then seen[t] = nil; return nil end
      out[i] = v
    end
    mp.array(out, n)
  else
    out = {}
    for k, v in pairs(t) do
      local tk = type(k)
      if tk ~= "string" and tk ~= "number" then seen[t] = nil; return nil end
      local w = M.to_wire(registry, v, seen, depth + 1)
      if w == nil then seen[t] = nil; return nil end
      out[k] = w
    end
    mp.map(out)
  end
  seen[t] = nil
  return out
end

-- A Lua value as it travels back to the client.
function M.to_wire(registry, v, seen, depth)
  local tv = type(v)
  if tv == "nil" or tv == "boolean" or tv == "number" or tv == "string" then return v end
  if tv == "table" and getmetatable(v) == nil then
    return plain(registry, v, seen or {}, depth or 0) or ref(registry, v)
  end
  return ref(registry, v)
end

function M.as_ref(registry, v)
  local tv = type(v)
  if tv == "nil" or tv == "boolean" or tv == "number" or tv == "string" then return v end
  return ref(registry, v)
end

-- Frames of at least this many bytes travel without copies: the server lends a tensor's
-- own bytes to ZeroMQ, and a received frame becomes the tensor's storage. Below it a copy
-- is cheaper than the bookkeeping (pyzmq's advice for its copy threshold is the same).
M.ZERO_COPY_MIN = 64 * 1024

-- Tensors lent for sending since the last reply went out (after_send), and the holds
-- whose server share waits for settle(): see lua_server/aten/blob.cpp.
local lent_parts, holds = {}, {}
-- bytes counted by how they travelled (bench/bulk.py reads them): frames received as
-- storage or copied, tensors lent or copied for sending, and settle()'s copies
M.stats = { received_zero_copy = 0, received_copied = 0, sent_lent = 0, sent_copied = 0,
  detach_copies = 0 }

-- A tensor's data by value: contiguous CPU bytes, inline when small, else a frame. A big
-- tensor's bytes are lent to ZeroMQ as they are; the client still gets the values the
-- tensor had when the reply was made, because settle() runs before any Lua code can write
-- to it and gives it a copy of its own if ZeroMQ has not sent those bytes yet.
function M.tensor_value(t, frames)
  local info = core.info(t)
  local code = wire.dtype_code[info.tensor]
  if not code then error("tensors of type " .. info.tensor .. " cannot be sent", 2) end
  local sizes = core.sizes(t)
  local n = t:nElement() * wire.itemsize[code]
  if frames.shared_pid then  -- shared memory goes to a local client by name
    local ext = shared.to_wire(t, code, sizes)
    if ext then return ext end
  end
  if n >= M.ZERO_COPY_MIN then
    local hold, ptr, size = blob.lend(t._h)
    if ptr == C.lt_tensor_data(t._h) then
      M.stats.sent_lent = M.stats.sent_lent + size
    else  -- lend made it contiguous (or cloned a small view of a big storage) first
      M.stats.sent_copied = M.stats.sent_copied + size
    end
    holds[#holds + 1] = hold
    local part = { ptr = ptr, size = size, free_fn = blob.release_fn, hint = hold }
    lent_parts[#lent_parts + 1] = part
    frames[#frames + 1] = part
    return mp.ext(wire.EXT_TENSOR, wire.pack_tensor(code, sizes, nil, #frames))
  end
  if info.device ~= aten.device.cpu then t = t:cpu() end
  t = t:contiguous()
  local ptr = C.lt_tensor_data(t._h)
  if n <= wire.INLINE_MAX then
    return mp.ext(wire.EXT_TENSOR, wire.pack_tensor(code, sizes, n > 0 and ffi.string(ptr, n) or "", nil))
  end
  frames[#frames + 1] = { ptr = ptr, size = n, keep = t }
  M.stats.sent_copied = M.stats.sent_copied + n
  return mp.ext(wire.EXT_TENSOR, wire.pack_tensor(code, sizes, nil, #frames))
end

-- After a reply was sent (or given up): lent parts ZeroMQ never took are released here.
function M.after_send()
  for i = 1, #lent_parts do
    local part = lent_parts[i]
    if not part.handed then
      part.handed = true
      part.free_fn(part.ptr, part.hint)
    end
    lent_parts[i] = nil
  end
end

-- Before Lua code runs again: detach sent tensors whose bytes are still queued.
function M.settle()
  if #holds > 0 then M.stats.detach_copies = M.stats.detach_copies + blob.settle(holds) end
end

-- Deep by-value conversion for the `value` request: tensors become data.
function M.by_value(registry, v, frames, depth)
  depth = depth or 0
  if depth > 32 then error("value: structure nested deeper than 32 levels", 0) end
  if torch.isTensor(v) then return M.tensor_value(v, frames) end
  if type(v) == "table" and getmetatable(v) == nil then
    local n, out = 0, {}
    for _ in pairs(v) do n = n + 1 end
    if n == #v then
      for i = 1, n do out[i] = M.by_value(registry, v[i], frames, depth + 1) end
      return mp.array(out, n)
    end
    for k, x in pairs(v) do out[k] = M.by_value(registry, x, frames, depth + 1) end
    return mp.map(out)
  end
  if torch.isStorage(v) then return M.tensor_value(core.wrap(aten.call("alias", v._h)), frames) end
  return M.to_wire(registry, v)
end

-- A tensor sent by the client: a new tensor of the matching Torch7 type. A big frame
-- becomes the tensor's storage without a copy (its ZeroMQ message moves to the heap and is
-- closed when ATen lets the memory go) when its data is aligned for the dtype and no other
-- tensor of the message took it already; anything else is copied.
-- Every length is checked against the bytes actually received before anything is
-- allocated, and the tensors of one message may not decode to more than frames.budget
-- bytes (several tensors may share a frame, which must not multiply the memory).
local function tensor_from_wire(payload, frames)
  local d = wire.unpack_tensor(payload)
  local nbytes = d.nbytes
  local source = d.inline
  local f
  if not d.inline then
    f = frames[d.frame + 1]  -- frames[1] is the header
    if not f then error("tensor refers to frame " .. d.frame .. ", but the message has " .. (#frames - 1), 0) end
    if f.size ~= nbytes then
      error("tensor frame " .. d.frame .. " has " .. f.size .. " bytes, expected " .. nbytes, 0)
    end
    source = f.ptr
  end
  if frames.budget then
    if nbytes > frames.budget then
      error("the message's tensors decode to more bytes than the message holds", 0)
    end
    frames.budget = frames.budget - nbytes
  end
  local info = types.by_tensor_name[wire.tensor_typename[d.dtype]]
  local sizes = #d.sizes > 0 and d.sizes or { 1 }
  local first_use = f and not (frames.used and frames.used[d.frame]) and not f.taken
  if f and frames.used then frames.used[d.frame] = true end
  if first_use and nbytes >= M.ZERO_COPY_MIN and f.msg
      and tonumber(ffi.cast("uintptr_t", f.ptr)) % wire.itemsize[d.dtype] == 0 then
    local owner = zmq.take(f)
    if owner ~= nil then
      f.taken = true
      M.stats.received_zero_copy = M.stats.received_zero_copy + nbytes
      local h = blob.from_blob(f.ptr, sizes, info.dtype, zmq.msg_close_fn, owner)
      return core.make(core.tensor_mt[info], h)
    end
  end
  -- resized from empty, not made with zeros: every byte is overwritten by the copy, and
  -- zero-filling first would touch the whole tensor twice
  local t
  if nbytes > 0 and nbytes <= SMALL_TENSOR then
    -- small: made at its size at once; zero-filling a few bytes costs less than resize's
    -- LongStorage (about 20 us for a 1x3 tensor)
    t = core.new(info, sizes)
  else
    t = core.new(info, { 0 }):resize(torch.LongStorage(sizes))
  end
  if nbytes > 0 then ffi.copy(C.lt_tensor_data(t._h), source, nbytes) end
  if f then M.stats.received_copied = M.stats.received_copied + nbytes end
  return t
end

-- The decoder's ext hook for one request: references resolve in the client's registry.
-- One hook per client, reading the frames of the message being decoded from the client
-- (decoding never nests), so that no closure is made per request.
local function new_hook(client)
  return function(code, payload)
    local registry, frames = client.registry, client.decoding_frames
    if code == M.EXT_CLIENT_FUNCTION then
      return callback.new(client.server, client, callback.unpack_cid(payload))
    elseif code == wire.EXT_REF then
      local id = wire.unpack_ref(payload)
      local obj, err = registry:get(id)
      if obj == nil then error({ ename = "ReleasedReference", evalue = err }, 0) end
      return obj
    elseif code == wire.EXT_TENSOR then
      return tensor_from_wire(payload, frames)
    elseif code == shared.EXT_SHARED then
      return shared.tensor_from_wire(payload, client)
    elseif code == M.EXT_PROMISE then  -- a result of this client's own batched request
      local id, index = Promises.unpack(payload)
      return (client.promises or Promises.new()):resolve(id, index)
    end
    error("unknown ext type " .. tostring(code), 0)
  end
end

-- (made in new_hook: a closure made here, even once, would keep this function out of
-- the JIT's traces)
function M.ext_hook(client, frames)
  client.decoding_frames = frames
  local hook = client.ext_hook
  if not hook then
    hook = new_hook(client)
    client.ext_hook = hook
  end
  return hook
end

return M
