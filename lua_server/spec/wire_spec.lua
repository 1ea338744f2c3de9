local mp = require "server.msgpack"
local wire = require "server.wire"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local VECTORS = here .. "/../../bridge/vectors/"

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function unhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end

local function load_vector(name)
  local frames = {}
  for line in io.lines(VECTORS .. name .. ".hex") do
    if line:find("%S") and line:sub(1, 1) ~= "#" then frames[#frames + 1] = unhex(line) end
  end
  return frames
end

-- Expected values: arr(...) is an array of exactly that many elements (nils included),
-- other tables are maps; ref/tensor are the ext markers the decoder gives without a hook.
local function arr(...) return mp.array({ ... }, select("#", ...)) end
local function ref(id, name) return mp.ext(1, wire.pack_ref(id, name)) end
local function tensor(dtype, sizes, data_hex) return mp.ext(2, wire.pack_tensor(dtype, sizes, unhex(data_hex))) end

local function same(actual, expected, path)
  if type(expected) == "table" and mp.is_ext(expected) then
    expect.truthy(mp.is_ext(actual), path .. " is an ext")
    expect.eq(actual.code, expected.code, path .. ".code")
    expect.eq(hex(actual.payload), hex(expected.payload), path .. ".payload")
  elseif type(expected) == "table" then
    expect.eq(type(actual), "table", path)
    expect.eq(mp.array_length(actual), mp.array_length(expected), path .. " array length")
    for k, v in pairs(expected) do same(actual[k], v, path .. "." .. tostring(k)) end
    for k in pairs(actual) do expect.truthy(expected[k] ~= nil, path .. " has extra key " .. tostring(k)) end
  elseif expected ~= expected then
    expect.truthy(actual ~= actual, path .. " is NaN")
  else
    expect.eq(actual, expected, path)
    if expected == 0 then expect.eq(1 / actual, 1 / expected, path .. " sign of zero") end
  end
end

local EXPECTED = {
  ping_request = { v = 1, id = 1, op = "ping" },
  interrupt = { v = 1, op = "interrupt", request = 12 },
  session_lost = { v = 1, op = "session_lost",
    reason = "the session's worker (pid 123) killed by signal 11 (SIGSEGV)" },
  epoch_request = { v = 1, id = 11, op = "eval", code = "x", epoch = "0123456789abcdef" },
  server_restarted = { v = 1, id = 11, status = "error", ename = "ServerRestarted",
    evalue = "this request was made for server run 0123456789abcdef, but the server here is run "
      .. "fedcba9876543210: the objects it refers to are gone; connect again", traceback = "" },
  ping_reply = { v = 1, id = 1, status = "ok",
    values = arr({ protocol = 1, server = "luatorch", torch = "7.0" }) },
  reply_scalars = { v = 1, id = 2, status = "ok", values = arr(
    nil, true, false, 0, 127, 128, 255, 256, 65535, 65536, 2 ^ 32 - 1, 2 ^ 32, 2 ^ 53, 2 ^ 63,
    2 ^ 64 - 2048, -1, -32, -33, -128, -129, -32768, -32769, -2 ^ 31, -2 ^ 31 - 1, -2 ^ 63,
    1.5, 0.1, -0.0, 1e300, 1 / 0, -1 / 0, 0 / 0,
    "", "h\195\169llo", ("x"):rep(40), "\0\255\128") },
  map_key_order = { v = 1, id = 3, status = "ok", values = arr({
    b = 1, [10] = "ten", aa = 2, [-5] = "neg", B = 3, [1] = "one", ["\195\169"] = 4, [2] = "two",
    [1.5] = "float", a = 5, [300] = "big", z = 6, [2 ^ 40] = "huge" }) },
  nested = { v = 1, id = 4, op = "construct", class = "nn.Sequential", args = arr({
    sizes = arr(arr(1, 2), arr(3, arr(4, arr(5)))),
    opts = { bias = true, name = "x", weights = arr(0.5, -2.25) },
    empty = arr(), none = mp.map({}) }) },
  remote_ref = { v = 1, id = 5, status = "ok", values = arr(
    ref(7, "nn.Linear"), ref(2 ^ 40 + 5, "function"), ref(0, "torch.FloatTensor")) },
  tensor_inline = { v = 1, id = 6, status = "ok", values = arr(
    tensor(6, { 2, 3 }, "0000003f0000803f0000c03f000000400000204000004040"),
    tensor(5, { 3 }, "ffffffffffffffff" .. "0000000000000000" .. "0000000000010000")) },
  tensor_empty = { v = 1, id = 7, status = "ok", values = arr(
    tensor(4, { 2, 0 }, ""), tensor(7, {}, "0000000000000440")) },
  tensor_frame = { v = 1, id = 8, op = "call", target = ref(3, "function"),
    args = arr(mp.ext(2, wire.pack_tensor(7, { 3, 50 }, nil, 1)), "mean") },
  error_reply = { v = 1, id = 9, status = "error", ename = "LuaError",
    evalue = "[string \"return f(1)\"]:1: attempt to call global 'f' (a nil value)",
    traceback = "stack traceback:\n\t[string \"return f(1)\"]:1: in main chunk\n\t[C]: in function 'xpcall'" },
  call_release = { v = 1, id = 10, op = "call", target = ref(12, "function"),
    args = arr(ref(13, "torch.FloatTensor"), 2, nil, "x"), release = arr(arr(3, 1), arr(4, 2)) },
  protocol_error = { v = 1, status = "error", ename = "ProtocolError",
    evalue = "header is not a map", traceback = "" },
}
EXPECTED.stream = { v = 1, op = "stream", request = 11, name = "stdout", text = "epoch 1: loss 0.25\n" }
-- issue 10: a float32 3x4 tensor in shared memory (ext 5): process 4242's fd 7, inode 123456,
-- byte offset 4096
EXPECTED.shared_tensor = { v = 1, id = 13, op = "call", target = ref(3, "function"), args = arr(
  mp.ext(5, unhex("06" .. "02" .. "02" .. "0000000000000003" .. "0000000000000004" .. "00001092"
    .. "00000007" .. "000000000001e240" .. "0000000000001000")), "sum") }

-- issue 10: promises (ext 4) and batches (PROTOCOL.md §2.7); a batch's entries are encoded
-- headers, checked below to decode to what they say
local function promise(id, index)
  local p = wire.pack_ref(id, "")
  if index then p = p .. string.char(0, 0, 0, index) end
  return mp.ext(4, p)
end
local BATCHED = {
  call30 = unhex("85a4617267739101a269641ea26f70a463616c6ca6746172676574d801000000000000000466756e6374696f6ea17601"),
  method30 = unhex("86a46172677390a269641fa46e616d65a473697a65a26f70a66d6574686f64a6746172676574d704000000000000001ea17601"),
  ok30 = unhex("84a269641ea6737461747573a26f6ba17601a676616c75657391c71a010000000000000009746f7263682e446f75626c6554656e736f72"),
  broken31 = unhex("86a5656e616d65ad50726f6d69736542726f6b656ea66576616c7565d93f726571756573742033302c2077686f736520726573756c7420746869732063616c6c20757365732c206661696c65643a204c75614572726f723a20626f6f6da269641fa6737461747573a56572726f72a974726163656261636ba0a17601"),
}
EXPECTED.promise_call = { v = 1, id = 21, op = "method", target = promise(20), name = "fill",
  args = arr(promise(19, 2), 2), done = arr(17, 18) }
EXPECTED.batch_request = { v = 1, op = "batch", requests = arr(BATCHED.call30, BATCHED.method30) }
EXPECTED.batch_reply = { v = 1, op = "batch", replies = arr(BATCHED.ok30, BATCHED.broken31) }

-- The server's view: refs and tensors as objects, turned back into payloads when sent.
local Ref, Tensor, Shared = {}, {}, {}
local Promise = {}
local function ext_in(code, payload)
  if code == 4 then return setmetatable({ payload = payload }, Promise) end
  if code == wire.EXT_REF then
    local id, typename = wire.unpack_ref(payload)
    return setmetatable({ id = id, typename = typename }, Ref)
  end
  if code == 5 then return setmetatable({ payload = payload }, Shared) end  -- nothing to map here
  return setmetatable(wire.unpack_tensor(payload), Tensor)
end
local function ext_out(v)
  if getmetatable(v) == Promise then return 4, v.payload end
  if getmetatable(v) == Ref then return wire.EXT_REF, wire.pack_ref(v.id, v.typename) end
  if getmetatable(v) == Shared then return 5, v.payload end
  return wire.EXT_TENSOR, wire.pack_tensor(v.dtype, v.sizes, v.inline, v.frame)
end

describe("golden vectors", function()
  for name, expected in pairs(EXPECTED) do
    it(name .. " decodes to the expected values and re-encodes identically", function()
      local frames = load_vector(name)
      local header, pos = mp.decode(frames[1])
      expect.eq(pos, #frames[1] + 1, "whole frame consumed")
      same(header, expected, name)
      expect.eq(hex(mp.encode(header)), hex(frames[1]), "re-encoded with ext markers")
      expect.eq(hex(mp.encode(mp.decode(frames[1], ext_in), ext_out)), hex(frames[1]), "through wire")
      expect.eq(hex(mp.encode(expected)), hex(frames[1]), "encoded from the expected values")
    end)
  end
  it("covers every vector file", function()
    local n = 0
    for _ in pairs(EXPECTED) do n = n + 1 end
    local p = io.popen("ls " .. VECTORS .. " | grep -c '\\.hex$'")
    expect.eq(tonumber(p:read("*a")), n)
    p:close()
  end)
  it("a batch's entries decode to the requests and replies they stand for", function()
    same(mp.decode(BATCHED.call30), { v = 1, id = 30, op = "call", target = ref(4, "function"),
      args = arr(1) }, "call30")
    same(mp.decode(BATCHED.method30), { v = 1, id = 31, op = "method", target = promise(30),
      name = "size", args = arr() }, "method30")
    same(mp.decode(BATCHED.ok30), { v = 1, id = 30, status = "ok",
      values = arr(ref(9, "torch.DoubleTensor")) }, "ok30")
    same(mp.decode(BATCHED.broken31), { v = 1, id = 31, status = "error", ename = "PromiseBroken",
      evalue = "request 30, whose result this call uses, failed: LuaError: boom", traceback = "" },
      "broken31")
  end)
  it("tensor_frame carries its float64 data in frame 1", function()
    local frames = load_vector("tensor_frame")
    expect.eq(#frames, 2)
    local t = wire.unpack_tensor(mp.decode(frames[1]).args[1].payload)
    expect.eq(t.frame, 1); expect.eq(t.nbytes, #frames[2]); expect.eq(t.dtype, 7)
    for i = 0, 149 do  -- little-endian float64 elements, read as msgpack float64 (big-endian)
      local x = mp.decode("\203" .. frames[2]:sub(8 * i + 1, 8 * i + 8):reverse())
      expect.eq(x, i * 0.25 - 10, "element " .. i)
    end
  end)
  it("ext payloads unpack to their fields", function()
    local h = mp.decode(load_vector("tensor_inline")[1], ext_in)
    expect.same(h.values[1].sizes, { 2, 3 })
    expect.eq(h.values[1].dtype, 6); expect.eq(#h.values[1].inline, 24)
    local r = mp.decode(load_vector("remote_ref")[1], ext_in).values[2]
    expect.eq(r.id, 2 ^ 40 + 5); expect.eq(r.typename, "function")
  end)
end)

describe("wire", function()
  it("has the protocol constants", function()
    expect.eq(wire.VERSION, 1); expect.eq(wire.EXT_REF, 1); expect.eq(wire.EXT_TENSOR, 2)
    expect.eq(wire.INLINE_MAX, 1024)
    expect.same(wire.itemsize, { 1, 1, 2, 4, 8, 4, 8, 2 })
    expect.eq(wire.tensor_typename[6], "torch.FloatTensor"); expect.eq(wire.dtype_code["torch.HalfTensor"], 8)
  end)
  it("packs references as a big-endian id and a type name", function()
    expect.eq(hex(wire.pack_ref(258, "nn.Tanh")), "0000000000000102" .. hex("nn.Tanh"))
    local id, name = wire.unpack_ref(unhex("0000010000000005") .. "cdata")
    expect.eq(id, 2 ^ 40 + 5); expect.eq(name, "cdata")
    expect.error(function() wire.unpack_ref("short") end, "reference payload must be at least 8 bytes, got 5")
    expect.error(function() wire.pack_ref(-1, "x") end, "id must be an integer")
  end)
  it("packs tensors inline or by frame index", function()
    expect.eq(hex(wire.pack_tensor(1, { 2 }, "\1\2")), "010001" .. "0000000000000002" .. "0102")
    expect.eq(hex(wire.pack_tensor(7, { 300 }, nil, 3)), "070101" .. "000000000000012c" .. "00000003")
    local t = wire.unpack_tensor(unhex("070101000000000000012c00000003"))
    expect.eq(t.frame, 3); expect.eq(t.inline, nil); expect.eq(t.nbytes, 2400); expect.same(t.sizes, { 300 })
    t = wire.unpack_tensor(unhex("060000") .. "abcd")
    expect.same(t.sizes, {}); expect.eq(t.inline, "abcd")
  end)
  it("rejects bad tensor payloads, naming what is wrong", function()
    expect.error(function() wire.unpack_tensor("\6\0") end, "shorter than its 3-byte prefix")
    expect.error(function() wire.unpack_tensor("\9\0\0") end, "unknown tensor dtype code 9")
    expect.error(function() wire.unpack_tensor("\6\2\0") end, "unknown tensor flags 2")
    expect.error(function() wire.unpack_tensor("\6\0\65") end, "tensor has 65 dimensions, more than 64")
    expect.error(function() wire.unpack_tensor("\6\0\1\0\0") end, "too short for 1 sizes")
    expect.error(function() wire.unpack_tensor(unhex("060001" .. "0000000000000002") .. "abc") end,
      "inline tensor data is 3 bytes, expected 8 (2 elements of 4 bytes)")
    expect.error(function() wire.unpack_tensor("\6\1\0\0\0\1") end, "frame index must be 4 bytes, got 3")
    expect.error(function() wire.unpack_tensor("\6\1\0\0\0\0\0") end, "frame index 0 is the header")
    expect.error(function() wire.unpack_tensor(unhex("070101" .. "0020000000000000" .. "00000001")) end,
      "tensor size 1 is 2^53 or more")
  end)
  it("checks pack_tensor's arguments", function()
    expect.error(function() wire.pack_tensor(9, {}, "") end, "unknown dtype code 9")
    expect.error(function() wire.pack_tensor(6, { 2 }, "abc") end, "inline data must be a string of 8 bytes")
    expect.error(function() wire.pack_tensor(6, { 2 }, nil, 0) end, "frame index must be an integer in [1, 2^32-1]")
    expect.error(function() wire.pack_tensor(6, { 2 }) end, "exactly one of inline data and a frame index")
    expect.error(function() wire.pack_tensor(6, { -1 }, "") end, "size 1 is not an integer >= 0")
  end)
end)
