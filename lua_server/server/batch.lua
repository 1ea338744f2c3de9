-- A batch (bridge/PROTOCOL.md §2.7): several requests in one message, answered with as few
-- messages as possible. Each request runs exactly as if it had come alone (serve.answer):
-- in order, with its own reply, error and traceback, output, interrupt and releases; only
-- the replies travel together. Each request's results are kept for promises (promises.lua)
-- until the client acknowledges its reply.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"
local errors = require "server.errors"
local marshal = require "server.marshal"

local type, rawget, format = type, rawget, string.format

local _M = { MAX_REQUESTS = 4096 }

-- The batch reply {op = "batch", replies = [...], v = 1}: its keys in encode's order around
-- the replies (encoded headers, so strings), the same bytes as mp.encode gives (batch_spec)
local REPLY_HEAD = "\131\162op\165batch\167replies"
local REPLY_TAIL = "\161v" .. mp.encode(wire.VERSION)

function _M.encode_reply(replies)
  local packed = mp.encode_flat_array(replies, #replies)
  if packed == nil then return nil end
  return REPLY_HEAD .. packed .. REPLY_TAIL
end

-- Replies gathered so far go out as one batch reply message.
local function flush(sock, identity, replies)
  if #replies == 0 then return end
  local header = _M.encode_reply(replies)
  if header then zmq.send_multipart(sock, { identity, header }) end
end

local function refuse(evalue, id)
  local header = errors.encode_reply(errors.reply(
    { ename = "ProtocolError", evalue = evalue, traceback = "" }, id))
  return header
end

-- answer: serve.answer; envelope: the batch's decoded header; body: its frames (header
-- first), whose data frames belong to the batch's last request.
function _M.serve(answer, server, sock, identity, client, envelope, body)
  local requests = rawget(envelope, "requests")
  local n = type(requests) == "table" and mp.array_length(requests) or nil
  if not n or n > _M.MAX_REQUESTS then
    local why = n and format("a batch holds at most %d requests, this one %d", _M.MAX_REQUESTS, n)
      or "a batch needs `requests`, an array of encoded request headers"
    zmq.send_multipart(sock, { identity, refuse(why) })
    return
  end
  if n == 0 and #body > 1 then
    zmq.send_multipart(sock, { identity, refuse("an empty batch cannot carry data frames") })
    return
  end
  local promises, replies = client.promises, {}
  -- one state, and one message of one frame for the requests without data frames, reused
  -- from request to request (emptied first): three tables less per request
  local state, header_frame = {}, {}
  local single = { header_frame }
  for i = 1, n do
    local raw = rawget(requests, i)
    local header, out_frames
    state.id, state.failed, state.results, state.batch = nil, nil, nil, nil
    state.entered, state.token, state.nvalues = nil, nil, nil
    if type(raw) ~= "string" then
      header = refuse(format("request %d of the batch is a %s, not an encoded header", i, type(raw)))
    else
      local frames = single
      if i == n and #body > 1 then
        frames = { { ptr = raw, size = #raw, text = raw } }
        for k = 2, #body do frames[k] = body[k] end
      else
        header_frame.ptr, header_frame.size, header_frame.text = raw, #raw, raw
        single.used, single.budget = nil, nil
      end
      header, out_frames = answer(server, sock, identity, client, frames, state)
      -- a request that failed while being decoded (a broken promise) has its id in its reply
      local id = state.id or (state.failed and state.failed.id)
      if state.batch then
        header, out_frames = refuse("a batch cannot hold another batch", id), nil
      elseif id ~= nil then
        if state.failed then
          promises:fail(id, state.failed.ename, state.failed.evalue)
        elseif state.results then
          promises:keep(id, state.results)
        end
      end
    end
    if header ~= nil then
      if out_frames and #out_frames > 0 then
        -- a reply with data frames goes alone, after the replies before it
        flush(sock, identity, replies)
        replies = {}
        local parts = { identity, header }
        for k = 1, #out_frames do parts[#parts + 1] = out_frames[k] end
        zmq.send_multipart(sock, parts)
        marshal.after_send()
        marshal.settle()  -- the next request's Lua code must not change bytes still queued
      else
        replies[#replies + 1] = header
      end
    end
  end
  flush(sock, identity, replies)
end

return _M
