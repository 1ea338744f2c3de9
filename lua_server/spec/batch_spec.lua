-- Batches (server/batch.lua, PROTOCOL.md §2.7): each request of a batch runs as if alone, in
-- order, and the replies go back in one message; results are kept for promises. The replies
-- travel over a real inproc socket pair, as they would to a client.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"
local serve = require "server.serve"
local batch = require "server.batch"
local Promises = require "server.promises"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local harness = dofile(here .. "/serve_harness.lua")("batch_spec")
local out, inbox, server, client = harness.out, harness.inbox, harness.server, harness.client
client.promises = Promises.new()

local function frame(s) return { ptr = s, size = #s } end

-- Serve a batch of request tables; returns the messages sent back, each a list of strings.
local function run(requests, data)
  local encoded = {}
  for i, r in ipairs(requests) do encoded[i] = type(r) == "table" and mp.encode(r) or r end
  local body = { frame(mp.encode({ v = 1, op = "batch", requests = mp.array(encoded, #encoded) })) }
  for _, d in ipairs(data or {}) do body[#body + 1] = frame(d) end
  batch.serve(serve.answer, server, out, "spec", client, { requests = mp.array(encoded, #encoded) }, body)
  local messages = {}
  while zmq.poll_in(inbox, 0) do
    local frames = zmq.recv_multipart(inbox, zmq.DONTWAIT)
    local strings = {}
    for i = 1, #frames do strings[i] = zmq.frame_string(frames[i]) end
    zmq.release(frames)
    messages[#messages + 1] = strings
  end
  return messages
end

local function replies_of(message)
  expect.eq(message[1], "spec", "sent to the client's identity")
  local envelope = mp.decode(message[2])
  expect.eq(envelope.op, "batch")
  local replies = {}
  for i, raw in ipairs(envelope.replies) do replies[i] = mp.decode(raw) end
  return replies
end

local function call(id, code, extra)
  local r = { v = 1, id = id, op = "eval", code = code }
  for k, v in pairs(extra or {}) do r[k] = v end
  return r
end

local function promise(id)
  return mp.ext(4, wire.pack_ref(id, ""))
end

describe("batch", function()
  it("packs its reply message to the generic encoder's bytes", function()
    local ok = mp.encode({ v = 1, id = 30, status = "ok", values = mp.array({ 1 }, 1) })
    local long = mp.encode({ v = 1, id = 31, status = "ok", values = mp.array({ string.rep("x", 300) }, 1) })
    for _, replies in ipairs({ { ok }, { ok, long, "" }, { ("\1"):rep(40) } }) do
      local many = {}
      for i = 1, 20 do many[i] = replies[(i - 1) % #replies + 1] end
      for _, list in ipairs({ replies, many }) do
        expect.eq(batch.encode_reply(list),
          mp.encode({ v = 1, op = "batch", replies = mp.array(list, #list) }))
      end
    end
  end)

  it("runs its requests in order and answers them in one message", function()
    _G.batch_spec_log = {}
    local messages = run({ call(1, "table.insert(batch_spec_log, 'a') return 1"),
      call(2, "error('second fails')"), call(3, "table.insert(batch_spec_log, 'c') return 3") })
    expect.eq(#messages, 1)
    local replies = replies_of(messages[1])
    expect.eq(#replies, 3)
    expect.eq(replies[1].values[1], 1)
    expect.eq(replies[2].status, "error")
    expect.truthy(replies[2].evalue:find("second fails", 1, true))
    expect.truthy(replies[2].traceback:find("stack traceback", 1, true))
    expect.eq(replies[3].values[1], 3)
    expect.same(_G.batch_spec_log, { "a", "c" })
    _G.batch_spec_log = nil
  end)

  it("keeps results for promises, breaks those of failed requests, and forgets on done", function()
    client.promises = Promises.new()
    local replies = replies_of(run({ call(10, "torch.Tensor(3):fill(2)"), call(11, "error('x')"),
      { v = 1, id = 12, op = "method", target = promise(10), name = "sum", args = mp.array({}, 0) },
      { v = 1, id = 13, op = "call", target = promise(11), args = mp.array({}, 0) } })[1])
    expect.eq(replies[3].values[1], 6)
    expect.eq(replies[4].ename, "PromiseBroken")
    expect.eq(client.promises.count, 4)
    run({ call(14, "0", { done = mp.array({ 10, 11, 12, 13 }, 4) }) })
    expect.eq(client.promises.count, 1, "only request 14's results are left")
  end)

  it("gives data frames to its last request and sends a reply with frames on its own", function()
    local t = mp.ext(2, wire.pack_tensor(7, { 2 }, nil, 1))
    local data = string.rep("\0", 15) .. "\64"  -- two float64: 0 and 2
    local messages = run({ call(20, "torch.Tensor(200):fill(1)"), { v = 1, id = 21, op = "value", target = promise(20) },
      { v = 1, id = 22, op = "call", target = mp.ext(1, wire.pack_ref(client.registry:ref(
        function(x) return x:sum() end), "function")), args = mp.array({ t }, 1) } }, { data })
    expect.eq(#messages, 3, "the replies before the one with frames, it, then the rest")
    expect.eq(replies_of(messages[1])[1].id, 20)
    expect.eq(mp.decode(messages[2][2]).id, 21)
    expect.eq(#messages[2], 3, "identity, header, the tensor's frame")
    expect.eq(#messages[2][3], 200 * 8)
    expect.eq(replies_of(messages[3])[1].values[1], 2)
  end)

  it("refuses a batch inside a batch and entries that are not encoded requests", function()
    local replies = replies_of(run({ 42, { v = 1, id = 30, op = "batch", requests = mp.array({}, 0) },
      call(31, "'after'") })[1])
    expect.eq(replies[1].ename, "ProtocolError")
    expect.eq(replies[1].id, nil)
    expect.truthy(replies[2].evalue:find("cannot hold another batch", 1, true))
    expect.eq(replies[2].id, 30)
    expect.eq(replies[3].values[1], "after")
  end)
end)
