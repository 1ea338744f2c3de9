-- The server's own CPU per request, in process: requests as the Python client encodes them
-- go through serve.answer (and batch.serve for a batch of 100 void calls, replies sent on
-- an inproc socket) with no client, sockets or thread hand-offs in the way. Prints
-- "name<TAB>microseconds per request" lines (process CPU time, the fastest of `repeats`).
-- Run by bench/serve_cpu.py with each revision's runtime (its lua_server/bin/th).
--   serve_cpu_lua.lua requests repeats
require "torch"
require "nn"
local mp = require "server.msgpack"
local wire = require "server.wire"
local serve = require "server.serve"
local batch = require "server.batch"
local interrupt = require "server.interrupt"
local Memory = require "server.memory"
local Promises = require "server.promises"
local zmq = require "server.zmq"
local ffi = require "ffi"

local N = tonumber(arg[1]) or 10000
local REPEATS = tonumber(arg[2]) or 5
local clock = os.clock

local server = { running = true, clients = {}, torch_version = "bench", callback_results = {},
  callback_owner = {}, epoch = 7, limits = { max_header = 2 ^ 26 }, memory = Memory.new(2 ^ 40),
  marshal = require "server.marshal" }
interrupt.install(server)
local client = serve.client_of(server, "bench")
local registry = client.registry

local function ref(obj)
  return mp.ext(wire.EXT_REF, wire.pack_ref(registry:ref(obj), torch.typename(obj) or type(obj)))
end
local lin, a, b = nn.Linear(3, 2), torch.randn(8, 8), torch.randn(8, 8)
local lin_ref, a_ref, b_ref, add_ref = ref(lin), ref(a), ref(b), ref(torch.add)
local x = torch.randn(1, 3)
local x_wire = mp.ext(wire.EXT_TENSOR, wire.pack_tensor(wire.dtype_code["torch.DoubleTensor"], { 1, 3 },
  ffi.string(x:data(), 24), nil))

-- request headers by case, as the client sends them (an epoch, ids counting up)
local CASES = {
  { "eval", function(id) return { v = 1, id = id, op = "eval", code = "return 1", epoch = 7 } end },
  { "t.size(1)", function(id)
    return { v = 1, id = id, op = "method", target = a_ref, name = "size", args = mp.array({ 1 }), epoch = 7 }
  end },
  { "lin.forward(x)", function(id)
    return { v = 1, id = id, op = "method", target = lin_ref, name = "forward", args = mp.array({ x_wire }), epoch = 7 }
  end },
  { "torch.add(a, b)", function(id)
    return { v = 1, id = id, op = "call", target = add_ref, args = mp.array({ a_ref, b_ref }), epoch = 7 }
  end },
  { "void call", function(id)
    return { v = 1, id = id, op = "method", target = lin_ref, name = "zeroGradParameters",
      args = mp.array({}), epoch = 7 }
  end },
}

local function frame(s) return { ptr = s, size = #s } end

local function single(make)
  local headers = {}
  for i = 1, 1000 do headers[i] = mp.encode(make(100000 + i)) end
  return function(n)
    for i = 1, n do
      local state = {}
      serve.answer(server, nil, "bench", client, { frame(headers[(i - 1) % 1000 + 1]) }, state)
      local result = state.results and state.results[1]
      -- a new tensor (torch.add's) goes back to the client, which releases it at once
      if type(result) == "userdata" and result ~= a and result ~= b then
        registry:release(registry.ids[result], 1)
      end
    end
  end
end

-- batches of 100 void calls, the first acknowledging earlier replies (`done`), as
-- `with lua.pipeline():` sends them
local function batches()
  local ctx = zmq.context()
  local out, inbox = zmq.socket(ctx, zmq.PAIR), zmq.socket(ctx, zmq.PAIR)
  zmq.bind(inbox, "inproc://serve_cpu"); zmq.connect(out, "inproc://serve_cpu")
  local envelopes, id = {}, 500000
  for e = 1, 20 do
    local requests = {}
    for i = 1, 100 do
      id = id + 1
      requests[i] = mp.encode({ v = 1, id = id, op = "method", target = lin_ref,
        name = "zeroGradParameters", args = mp.array({}), epoch = 7,
        done = i == 1 and mp.array({ id - 100, id - 99 }) or nil })
    end
    envelopes[e] = mp.encode({ v = 1, op = "batch", requests = mp.array(requests, 100) })
  end
  return function(n)
    for i = 1, math.ceil(n / 100) do
      local body = { frame(envelopes[(i - 1) % 20 + 1]) }
      local state = {}
      client.promises = Promises.new()
      serve.answer(server, out, "bench", client, body, state)
      batch.serve(serve.answer, server, out, "bench", client, state.batch, body)
      zmq.release(zmq.recv_multipart(inbox, 0))
    end
  end
end

local runs = {}
for i, case in ipairs(CASES) do runs[i] = { case[1], single(case[2]) } end
runs[#runs + 1] = { "batched void call", batches() }

for _, run in ipairs(runs) do
  local name, fn = run[1], run[2]
  fn(2000)  -- warm-up: the JIT, first allocations
  local best = math.huge
  for _ = 1, REPEATS do
    collectgarbage(); collectgarbage()
    local t0 = clock()
    fn(N)
    best = math.min(best, (clock() - t0) / N * 1e6)
  end
  io.write(name, "\t", string.format("%.2f", best), "\n")
end
