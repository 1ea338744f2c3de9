-- serve.answer reuses its per-request bookkeeping (stream records, output buffers, interrupt
-- records, the reply's packing buffer) instead of making tables per request: what one
-- request printed, its id, or its error must never show up in another's messages, nested
-- requests included. Messages travel over a real inproc socket pair, as to a client.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local serve = require "server.serve"
local stream = require "server.stream"
local interrupt = require "server.interrupt"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local harness = dofile(here .. "/serve_harness.lua")("server_answer_spec")
local out, inbox, server, client = harness.out, harness.inbox, harness.server, harness.client

-- the stream messages sent so far, decoded
local function streamed()
  local messages = {}
  while zmq.poll_in(inbox, 0) do
    local frames = zmq.recv_multipart(inbox, zmq.DONTWAIT)
    messages[#messages + 1] = mp.decode(zmq.frame_string(frames[2]))
    zmq.release(frames)
  end
  return messages
end

-- runs one eval request; returns its decoded reply and the stream messages it sent
local function eval(id, code)
  local header = mp.encode({ v = 1, id = id, op = "eval", code = code })
  local reply = serve.answer(server, out, "spec", client, { { ptr = header, size = #header } }, {})
  return mp.decode(reply), streamed()
end

describe("serve.answer's reused bookkeeping", function()
  it("streams each request's output under its own id, before and after a failure", function()
    for id = 1, 3 do
      local reply, messages = eval(id, "print('out " .. id .. "') return " .. id)
      expect.eq(reply.status, "ok"); expect.eq(reply.id, id); expect.eq(reply.values[1], id)
      expect.eq(reply.stdout, nil, "output went as it was printed, not with the reply")
      expect.eq(#messages, 1)
      expect.eq(messages[1].request, id); expect.eq(messages[1].text, "out " .. id .. "\n")
    end
    local reply, messages = eval(4, "print('before') error('boom')")
    expect.eq(reply.status, "error"); expect.eq(reply.id, 4)
    expect.eq(#messages, 1); expect.eq(messages[1].request, 4)
    reply, messages = eval(5, "return 'quiet'")
    expect.eq(reply.status, "ok"); expect.eq(reply.id, 5); expect.eq(reply.values[1], "quiet")
    expect.eq(#messages, 0, "nothing of the failed request is left over")
    expect.eq(server.active_n, 0, "no request is left running")
  end)

  it("streams a nested request's output to it, and the outer's to the outer again", function()
    local outer = stream.begin(out, "spec", { id = 10 })
    stream.write("stdout", "a")
    local inner = stream.begin(out, "spec", { id = 11 })
    stream.write("stdout", "b")
    stream.restore(inner)
    stream.write("stdout", "c")
    stream.restore(outer)
    expect.eq(stream.write("stdout", "d"), false, "no request runs: nothing to stream to")
    local messages = streamed()
    expect.eq(#messages, 3)
    expect.eq(messages[1].request, 10); expect.eq(messages[2].request, 11)
    expect.eq(messages[3].request, 10); expect.eq(messages[3].text, "c")
  end)

  it("replies with values of every kind, tables through the generic encoder", function()
    local reply = eval(20, "return 1.5, 'x', nil, true, {1, 2}, {a = 1}")
    expect.eq(reply.status, "ok"); expect.eq(reply.id, 20)
    expect.eq(mp.array_length(reply.values), 6, "trailing and inner nils kept")
    expect.eq(reply.values[1], 1.5); expect.eq(reply.values[3], nil)
    expect.same(reply.values[5], { 1, 2 }); expect.eq(reply.values[6].a, 1)
    reply = eval(21, "return")
    expect.eq(mp.array_length(reply.values), 0)
  end)
end)
