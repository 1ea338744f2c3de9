-- Tensors without copies (issue 10): a received ZeroMQ frame as a tensor's storage, and a
-- tensor's bytes lent to ZeroMQ (aten/blob.lua, server/zmq.lua, server/marshal.lua).
local ffi = require "ffi"
local torch = require "torch"
local core = require "torch.core"
local aten = require "aten"
local blob = require "aten.blob"
local zmq = require "server.zmq"

local C = aten.C

-- One message of `n` doubles 1..n through an inproc PAIR: the received frame, unreleased.
local ctx = zmq.context()
local function receive_doubles(n)
  local a, b = zmq.socket(ctx, zmq.PAIR), zmq.socket(ctx, zmq.PAIR)
  local name = "inproc://blob_spec_" .. tostring(math.random(1e9))
  zmq.bind(a, name)
  zmq.connect(b, name)
  local src = ffi.new("double[?]", n)
  for i = 0, n - 1 do src[i] = i + 1 end
  zmq.send_multipart(a, { { ptr = src, size = n * 8 } })
  local frames = zmq.recv_multipart(b)
  zmq.close(a)
  zmq.close(b)
  return frames
end

local function tensor_over(frame, sizes)
  local owner = zmq.take(frame)
  expect.truthy(owner ~= nil, "the frame's message moved to the heap")
  local h = blob.from_blob(frame.ptr, sizes, aten.dtype.float64, zmq.msg_close_fn, owner)
  return core.make(core.tensor_mt[core.info_of_handle(h)], h)
end

describe("a received frame as a tensor's storage", function()
  it("is the tensor's memory: no copy, the values as sent", function()
    local frames = receive_doubles(20000)
    local t = tensor_over(frames[1], { 100, 200 })
    zmq.release(frames)  -- the frame's message was moved out: this closes an empty one
    expect.eq(ffi.cast("void*", C.lt_tensor_data(t._h)), ffi.cast("void*", frames[1].ptr))
    expect.eq(torch.typename(t), "torch.DoubleTensor")
    expect.eq(t:size(1), 100)
    expect.eq(t[1][1], 1)
    expect.eq(t[100][200], 20000)
    expect.eq(t:sum(), 20000 * 20001 / 2)
  end)

  it("is an ordinary Torch7 tensor: written in place, resized beyond the frame", function()
    local frames = receive_doubles(20000)
    local t = tensor_over(frames[1], { 20000 })
    zmq.release(frames)
    t:mul(2)
    expect.eq(t[20000], 40000)
    -- growing moves the data into memory ATen allocates; nothing is written past the frame
    t:resize(1000000)
    expect.truthy(ffi.cast("void*", C.lt_tensor_data(t._h)) ~= ffi.cast("void*", frames[1].ptr),
      "a grown tensor lives elsewhere")
    expect.eq(t[1], 2)
    expect.eq(t[20000], 40000)
    t:fill(3)
    expect.eq(t:sum(), 3000000)
    t:resize(10)  -- shrinking keeps the memory
    expect.eq(t[10], 3)
  end)

  it("outlives views and the original tensor object", function()
    local frames = receive_doubles(20000)
    local t = tensor_over(frames[1], { 20000 })
    zmq.release(frames)
    local view = t:narrow(1, 19991, 10)
    t = nil
    collectgarbage()
    collectgarbage()
    expect.eq(view[10], 20000)
    expect.eq(view:storage():size(), 20000)
  end)
end)

-- a 1-D DoubleTensor 1..n
local function range(n)
  return torch.range(1, n)
end

describe("a tensor lent for sending", function()
  it("keeps the bytes of reply time when Lua writes before ZeroMQ sent them", function()
    local t = range(100000)
    local hold, ptr, size = blob.lend(t._h)
    expect.eq(size, 800000)
    expect.eq(ffi.cast("void*", ptr), ffi.cast("void*", C.lt_tensor_data(t._h)))
    -- the server is about to run Lua code; ZeroMQ has not sent the bytes yet
    expect.eq(blob.settle({ hold }), 1)
    t:fill(-1)
    local sent = ffi.cast("double*", ptr)
    expect.eq(sent[0], 1)
    expect.eq(sent[99999], 100000)
    expect.eq(t[1], -1)
    blob.release_fn(ptr, hold)  -- ZeroMQ is done: the detached bytes are freed
  end)

  it("copies nothing when ZeroMQ sent the bytes first", function()
    local t = range(100000)
    local hold, ptr = blob.lend(t._h)
    blob.release_fn(ptr, hold)
    expect.eq(blob.settle({ hold }), 0)
    expect.eq(ffi.cast("void*", C.lt_tensor_data(t._h)), ffi.cast("void*", ptr))
  end)

  it("copies nothing when nothing else refers to the tensor", function()
    local h = C.lt_tensor_clone(range(100000):mul(2)._h)  -- a handle no Lua object holds
    local hold, ptr = blob.lend(h)
    C.lt_tensor_free(h)  -- as a contiguous() temporary is dropped
    expect.eq(blob.settle({ hold }), 0)
    expect.eq(ffi.cast("double*", ptr)[99999], 200000)
    blob.release_fn(ptr, hold)
  end)

  it("sends a non-contiguous view as a contiguous copy, and a small part of a big storage alone", function()
    local t = range(600):view(20, 30)
    local hold, ptr, size = blob.lend(t:t()._h)
    expect.eq(size, 600 * 8)
    local p = ffi.cast("double*", ptr)
    expect.eq(p[0], 1)
    expect.eq(p[1], 31)  -- transposed: the second element is row 2's first
    expect.eq(blob.settle({ hold }), 0)  -- a fresh contiguous copy nobody else holds
    blob.release_fn(ptr, hold)
    local big = range(100000)
    local hold2, ptr2, size2 = blob.lend(big:narrow(1, 11, 10)._h)
    expect.eq(size2, 80)
    expect.eq(ffi.cast("double*", ptr2)[0], 11)
    expect.truthy(ffi.cast("void*", ptr2) ~= ffi.cast("void*", ffi.cast("char*", C.lt_tensor_data(big._h)) + 80),
      "a small view of a big storage is cloned")
    blob.release_fn(ptr2, hold2)
    expect.eq(blob.settle({ hold2 }), 0)
  end)
end)

describe("marshal: a tensor frame from the client", function()
  local marshal = require "server.marshal"
  local wire = require "server.wire"

  -- frames as serve.lua hands them to the decoder: frames[1] the header, then data
  local function decode_frame(frame, n)
    local frames = { { ptr = nil, size = 0 }, frame, used = {}, budget = 1e12 }
    local hook = marshal.ext_hook({ registry = {} }, frames)
    return hook(wire.EXT_TENSOR, wire.pack_tensor(7, { n }, nil, 1)), frames
  end

  it("becomes the tensor's storage when aligned", function()
    local n = 20000
    local received = receive_doubles(n)
    local before = marshal.stats.received_zero_copy
    local t = decode_frame(received[1], n)
    zmq.release(received)
    expect.eq(marshal.stats.received_zero_copy - before, n * 8)
    expect.eq(ffi.cast("void*", C.lt_tensor_data(t._h)), ffi.cast("void*", received[1].ptr))
    expect.eq(t[n], n)
  end)

  it("is copied when not aligned for its dtype", function()
    local n = 20000
    local received = receive_doubles(n + 1)
    local shifted = ffi.cast("char*", received[1].ptr) + 1  -- doubles 1..n one byte on
    for i = 0, n - 1 do ffi.cast("double*", received[1].ptr)[i] = 0 end
    local bytes = ffi.new("double[?]", n)
    for i = 0, n - 1 do bytes[i] = i + 1 end
    ffi.copy(shifted, bytes, n * 8)
    local before = marshal.stats.received_copied
    local t = decode_frame({ ptr = shifted, size = n * 8, msg = received[1].msg }, n)
    expect.eq(marshal.stats.received_copied - before, n * 8)
    zmq.release(received)  -- the message stayed with its frame: the tensor has a copy
    expect.eq(t[1], 1)
    expect.eq(t[n], n)
  end)

  it("gives a second tensor of the same frame a copy of its own", function()
    local n = 20000
    local received = receive_doubles(n)
    local first, frames = decode_frame(received[1], n)
    local hook = marshal.ext_hook({ registry = {} }, frames)
    local second = hook(wire.EXT_TENSOR, wire.pack_tensor(7, { n }, nil, 1))
    zmq.release(received)
    first:fill(0)
    expect.eq(second[n], n)
  end)
end)
