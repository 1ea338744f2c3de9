-- One char-rnn training step (nngraph LSTM, clones per time step, BPTT, rmsprop) in the
-- Lua runtime: prints the CPU seconds of each of `steps` steps, one per line.
--   charrnn_lua.lua steps layers rnn_size batch seq vocab
-- Run by bench/charrnn_step.py, which times the same step in PyTorch, interleaved.
require "nngraph"
require "optim"
local steps, layers, rnn_size, batch, seq, vocab = 5, 2, 128, 50, 50, 65
for i, v in ipairs(arg) do
  local n = tonumber(v)
  if i == 1 then steps = n elseif i == 2 then layers = n elseif i == 3 then rnn_size = n
  elseif i == 4 then batch = n elseif i == 5 then seq = n elseif i == 6 then vocab = n end
end
torch.setnumthreads(1)
torch.manualSeed(123)

-- char-rnn's LSTM.lua: inputs {x, c1, h1, c2, h2 ...}, outputs {c1, h1, ..., logprobs}
local function lstm(input_size)
  local inputs = { nn.Identity()() }
  for _ = 1, layers do table.insert(inputs, nn.Identity()()); table.insert(inputs, nn.Identity()()) end
  local outputs, x = {}, inputs[1]
  for L = 1, layers do
    local prev_c, prev_h = inputs[L * 2], inputs[L * 2 + 1]
    if L > 1 then x = outputs[(L - 1) * 2] end
    local i2h = nn.Linear(L == 1 and input_size or rnn_size, 4 * rnn_size)(x)
    local h2h = nn.Linear(rnn_size, 4 * rnn_size)(prev_h)
    local sums = nn.CAddTable()({ i2h, h2h })
    local n1, n2, n3, n4 = nn.SplitTable(2)(nn.Reshape(4, rnn_size)(sums)):split(4)
    local in_gate, forget_gate = nn.Sigmoid()(n1), nn.Sigmoid()(n2)
    local out_gate, in_transform = nn.Sigmoid()(n3), nn.Tanh()(n4)
    local next_c = nn.CAddTable()({ nn.CMulTable()({ forget_gate, prev_c }),
      nn.CMulTable()({ in_gate, in_transform }) })
    local next_h = nn.CMulTable()({ out_gate, nn.Tanh()(next_c) })
    table.insert(outputs, next_c); table.insert(outputs, next_h)
  end
  table.insert(outputs, nn.LogSoftMax()(nn.Linear(rnn_size, vocab)(outputs[#outputs])))
  return nn.gModule(inputs, outputs)
end

local proto = lstm(vocab)
local criterion = nn.ClassNLLCriterion()
local params, grads = proto:getParameters()
params:uniform(-0.08, 0.08)
local clones = {}
for t = 1, seq do clones[t] = proto:clone("weight", "bias", "gradWeight", "gradBias") end

local xs, ys = {}, {}
for t = 1, seq do
  local idx = torch.LongTensor(batch):random(vocab)
  xs[t] = torch.zeros(batch, vocab):scatter(2, idx:view(batch, 1), 1)
  ys[t] = torch.Tensor(batch):random(vocab)
end
local init_state = {}
for i = 1, 2 * layers do init_state[i] = torch.zeros(batch, rnn_size) end
local config = { learningRate = 2e-3, alpha = 0.95 }

local function feval()
  grads:zero()
  local state, preds, loss = { [0] = init_state }, {}, 0
  for t = 1, seq do
    local out = clones[t]:forward({ xs[t], unpack(state[t - 1]) })
    state[t] = {}
    for i = 1, 2 * layers do state[t][i] = out[i] end
    preds[t] = out[#out]
    loss = loss + criterion:forward(preds[t], ys[t])
  end
  local dstate = { [seq] = {} }
  for i = 1, 2 * layers do dstate[seq][i] = torch.zeros(batch, rnn_size) end
  for t = seq, 1, -1 do
    local dout = { unpack(dstate[t]) }
    dout[#dout + 1] = criterion:backward(preds[t], ys[t])
    local dinputs = clones[t]:backward({ xs[t], unpack(state[t - 1]) }, dout)
    dstate[t - 1] = {}
    for i = 2, #dinputs do dstate[t - 1][i - 1] = dinputs[i] end
  end
  grads:clamp(-5, 5)
  return loss / seq, grads
end

optim.rmsprop(feval, params, config)  -- warm-up
local clock = os.clock
for _ = 1, steps do
  local t0 = clock()
  optim.rmsprop(feval, params, config)
  io.write(string.format("%.6f\n", clock() - t0))
end
