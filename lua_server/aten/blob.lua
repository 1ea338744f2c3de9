-- The shim's zero-copy entry points (lua_server/aten/blob.cpp): tensors over foreign memory
-- (a received ZeroMQ frame, a shared-memory mapping) and tensors lent to ZeroMQ for sending.
local ffi = require "ffi"
local aten = require "aten"

ffi.cdef [[
typedef struct lt_send_hold lt_send_hold;
lt_tensor* lt_tensor_from_blob(void* data, const int64_t* sizes, int ndim, int dtype,
                               int (*release)(void*), void* owner);
lt_send_hold* lt_send_hold_new(lt_tensor* t, void** data, int64_t* nbytes);
void lt_send_hold_release(void* data, void* hint);
int lt_send_hold_settle(lt_send_hold* h);
]]

local C = aten.C
local M = {}

local sizes_buf = ffi.new("int64_t[64]")

-- A tensor handle (owned by Lua) over [data, data + bytes of `sizes`) of ATen dtype
-- `dtype`; release(owner) then free(owner) run when ATen lets the memory go (owner must
-- come from malloc). Raises when ATen refuses (the owner is released then too).
function M.from_blob(data, sizes, dtype, release, owner)
  local n = #sizes
  for i = 1, n do sizes_buf[i - 1] = sizes[i] end
  local h = C.lt_tensor_from_blob(data, sizes_buf, n, dtype, release, owner)
  if h == nil then error("cannot wrap received memory as a tensor (out of memory?)", 2) end
  return aten.own(h)
end

local data_out, nbytes_out = ffi.new("void*[1]"), ffi.new("int64_t[1]")

-- Lend handle h's bytes for sending: returns the hold, its data pointer and byte count.
function M.lend(h)
  local hold = C.lt_send_hold_new(h, data_out, nbytes_out)
  if hold == nil then error("cannot lend a tensor for sending (out of memory?)", 2) end
  return hold, data_out[0], tonumber(nbytes_out[0])
end

M.release_fn = ffi.cast("void (*)(void*, void*)", C.lt_send_hold_release)

-- Drop the server's share of each hold in `holds` (see lt_send_hold_settle); returns how
-- many needed a copy because their message was still queued.
function M.settle(holds)
  local copied = 0
  for i = 1, #holds do
    if C.lt_send_hold_settle(holds[i]) == 1 then copied = copied + 1 end
    holds[i] = nil
  end
  return copied
end

return M
