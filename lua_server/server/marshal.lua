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

local callback = require "server.callback"
local Promises = require "server.promises"

local C = aten.C
local type, getmetatable, pairs, error, tostring = type, getmetatable, pairs, error, tostring
local M = { EXT_CLIENT_FUNCTION = 3, EXT_PROMISE = 4 }

local function typename_of(v)
  return torch.typename(v) or type(v)
end

local function ref(registry, v)
  return mp.ext(wire.EXT_REF, wire.pack_ref(registry:ref(v), typename_of(v)))
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

-- A tensor's data by value: contiguous CPU bytes, inline when small, else a frame.
function M.tensor_value(t, frames)
  if core.info(t).device ~= aten.device.cpu then t = t:cpu() end
  t = t:contiguous()
  local info = core.info(t)
  local code = wire.dtype_code[info.tensor]
  if not code then error("tensors of type " .. info.tensor .. " cannot be sent", 2) end
  local sizes = core.sizes(t)
  local n = t:nElement() * wire.itemsize[code]
  local ptr = C.lt_tensor_data(t._h)
  if n <= wire.INLINE_MAX then
    return mp.ext(wire.EXT_TENSOR, wire.pack_tensor(code, sizes, n > 0 and ffi.string(ptr, n) or "", nil))
  end
  frames[#frames + 1] = { ptr = ptr, size = n, keep = t }
  return mp.ext(wire.EXT_TENSOR, wire.pack_tensor(code, sizes, nil, #frames))
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

-- A tensor sent by the client: a new tensor of the matching Torch7 type holding a copy.
-- Every length is checked against the bytes actually received before anything is
-- allocated, and the tensors of one message may not decode to more than frames.budget
-- bytes (several tensors may share a frame, which must not multiply the memory).
local function tensor_from_wire(payload, frames)
  local d = wire.unpack_tensor(payload)
  local nbytes = d.nbytes
  local source = d.inline
  if not d.inline then
    local f = frames[d.frame + 1]  -- frames[1] is the header
    if not f then error("tensor refers to frame " .. d.frame .. ", but the message has " .. (#frames - 1), 0) end
    if f.size ~= nbytes then
      error("tensor frame " .. d.frame .. " has " .. f.size .. " bytes, expected " .. nbytes, 0)
    end
    if frames.used then frames.used[d.frame] = true end
    source = f.ptr
  end
  if frames.budget then
    if nbytes > frames.budget then
      error("the message's tensors decode to more bytes than the message holds", 0)
    end
    frames.budget = frames.budget - nbytes
  end
  local info = types.by_tensor_name[wire.tensor_typename[d.dtype]]
  -- a large one resized from empty, not made with zeros: every byte is overwritten by the
  -- copy, and zero-filling first would touch the whole tensor twice; a small one made at once
  -- (a LongStorage of its sizes costs more than zeroing a few bytes)
  local sizes = #d.sizes > 0 and d.sizes or { 1 }
  local t = nbytes <= wire.INLINE_MAX and core.new(info, sizes)
    or core.new(info, { 0 }):resize(torch.LongStorage(sizes))
  if nbytes > 0 then ffi.copy(C.lt_tensor_data(t._h), source, nbytes) end
  return t
end

-- The decoder's ext hook for one request: references resolve in the client's registry.
function M.ext_hook(client, frames)
  local registry = client.registry
  return function(code, payload)
    if code == M.EXT_CLIENT_FUNCTION then
      return callback.new(client.server, client, callback.unpack_cid(payload))
    elseif code == wire.EXT_REF then
      local id = wire.unpack_ref(payload)
      local obj, err = registry:get(id)
      if obj == nil then error({ ename = "ReleasedReference", evalue = err }, 0) end
      return obj
    elseif code == wire.EXT_TENSOR then
      return tensor_from_wire(payload, frames)
    elseif code == M.EXT_PROMISE then  -- a result of this client's own batched request
      local id, index = Promises.unpack(payload)
      return (client.promises or Promises.new()):resolve(id, index)
    end
    error("unknown ext type " .. tostring(code), 0)
  end
end

return M
