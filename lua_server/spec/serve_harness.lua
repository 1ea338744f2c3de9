-- The set-up of the specs that drive the request path directly (serve.answer, batches): a
-- server table and one client of it as serve.lua expects them, and a real inproc socket
-- pair, `out` for the replies and `inbox` to read them, as a client would.
local zmq = require "server.zmq"
local serve = require "server.serve"
local interrupt = require "server.interrupt"
local Memory = require "server.memory"

return function(name)
  local ctx = zmq.context()
  local out, inbox = zmq.socket(ctx, zmq.PAIR), zmq.socket(ctx, zmq.PAIR)
  zmq.bind(inbox, "inproc://" .. name)
  zmq.connect(out, "inproc://" .. name)
  local server = { clients = {}, epoch = name, limits = { max_header = 2 ^ 26 },
    memory = Memory.new(2 ^ 30), marshal = require "server.marshal", callback_results = {},
    callback_owner = {} }
  interrupt.install(server)
  return { out = out, inbox = inbox, server = server, client = serve.client_of(server, "spec") }
end
