-- The API patterns real training scripts lean on (char-rnn's train.lua and model_utils,
-- fb.resnet's checkpoints), written here as our own small cases so they run without the
-- projects' code.
require "torch"
require "nn"
require "nngraph"
require "optim"

-- a one-layer recurrent cell in nngraph's call syntax: {x, h} -> {h', logprobs}
local function cell(nin, nh)
  local x, h = nn.Identity()(), nn.Identity()()
  local nexth = nn.Tanh()(nn.CAddTable()({ nn.Linear(nin, nh)(x), nn.Linear(nh, nh)(h) }))
  local out = nn.LogSoftMax()(nn.Linear(nh, nin)(nexth))
  return nn.gModule({ x, h }, { nexth, out })
end

-- flatten every parameter into one storage, keyed by storage identity (torch.pointer)
local function flatten(tensors)
  local seen, total = {}, 0
  for _, t in ipairs(tensors) do
    local key = torch.pointer(t:storage())
    if not seen[key] then seen[key] = { t:storage(), total }; total = total + t:storage():size() end
  end
  local flat = torch.Tensor(total)
  for _, entry in pairs(seen) do
    flat:narrow(1, entry[2] + 1, entry[1]:size()):copy(torch.Tensor():set(entry[1]))
  end
  for _, t in ipairs(tensors) do
    local offset = seen[torch.pointer(t:storage())][2]
    t:set(flat:storage(), offset + t:storageOffset(), t:size(), t:stride())
  end
  return flat
end

-- T clones by serialising once and reading back, then pointing their tensors at the proto's
local function clones_of(net, T)
  local params, grads = net:parameters()
  local mem = torch.MemoryFile("w"):binary()
  mem:writeObject(net)
  local out = {}
  for t = 1, T do
    local reader = torch.MemoryFile(mem:storage(), "r"):binary()
    local c = reader:readObject()
    reader:close()
    local cp, cg = c:parameters()
    for i = 1, #params do cp[i]:set(params[i]); cg[i]:set(grads[i]) end
    out[t] = c
  end
  mem:close()
  return out
end

describe("char-rnn's training pattern", function()
  it("torch.pointer names a storage, not a tensor view of it", function()
    local s = torch.DoubleStorage(6)
    local a, b = torch.Tensor(s, 1, torch.LongStorage({ 3 })), torch.Tensor(s, 4, torch.LongStorage({ 3 }))
    expect.eq(torch.pointer(a:storage()), torch.pointer(b:storage()))
    expect.truthy(torch.pointer(a) ~= torch.pointer(b), "two tensor objects")
    expect.truthy(torch.pointer(nn.Linear(2, 2)) ~= nil, "modules (with __tostring) have one too")
  end)

  it("views a storage with Torch7's number form: (storage, offset, sz1 [, st1 ...])", function()
    local s = torch.DoubleStorage({ 1, 2, 3, 4, 5, 6 })
    expect.same(torch.Tensor(s, 4, 3):totable(), { 4, 5, 6 })
    expect.same(torch.Tensor(s, 2, 2, 3, 2):totable(), { { 2, 3 }, { 5, 6 } }, "last stride left out")
    expect.same(torch.Tensor(s, 1, 2, 1, 3, 2):totable(), { { 1, 3, 5 }, { 2, 4, 6 } })
    expect.same(torch.Tensor(s, 1, 2, -1, 3):totable(), { { 1, 2, 3 }, { 4, 5, 6 } }, "-1: contiguous")
    local t = torch.Tensor():set(s, 3, 2)
    expect.same(t:totable(), { 3, 4 })
    t[1] = 30
    expect.eq(s[3], 30, "a view, not a copy")
  end)

  it("flattened parameters are shared by clones made through a MemoryFile", function()
    torch.manualSeed(3)
    local proto = cell(5, 4)
    local p, g = proto:parameters()
    local params, grads = flatten(p), flatten(g)
    expect.eq(params:nElement(), 5 * 4 + 4 + 4 * 4 + 4 + 4 * 5 + 5)
    local clones = clones_of(proto, 3)
    params:fill(0.01)
    local x, h = torch.zeros(2, 5), torch.zeros(2, 4)
    local out = clones[3]:forward({ x, h })
    expect.near(out[1][1][1], math.tanh(0.02), 1e-12, "clone sees the flat parameters")
    grads:zero()
    local dout = torch.zeros(2, 5)
    dout:select(2, 1):fill(1)  -- d loss / d logprob of class 1
    clones[1]:forward({ x, h })
    clones[1]:backward({ x, h }, { torch.zeros(2, 4), dout })
    clones[2]:forward({ x, h })
    clones[2]:backward({ x, h }, { torch.zeros(2, 4), dout })
    local last_bias = grads:narrow(1, grads:nElement() - 4, 5)
    -- equal logits: softmax 1/5 each; (e1 - 1/5) per sample, 2 samples x 2 clones in one place
    local want = { 3.2, -0.8, -0.8, -0.8, -0.8 }
    for i = 1, 5 do expect.near(last_bias[i], want[i], 1e-12, "bias grad " .. i) end
  end)

  it("rmsprop over unrolled clones lowers the loss on a repeating sequence", function()
    torch.manualSeed(5)
    local V, H, T = 3, 6, 4
    local proto, crit = cell(V, H), nn.ClassNLLCriterion()
    local p, g = proto:parameters()
    local params, grads = flatten(p), flatten(g)
    params:uniform(-0.08, 0.08)
    local clones = clones_of(proto, T)
    local seq = { 1, 2, 3, 1, 2 }
    local function onehot(i) local t = torch.zeros(1, V); t[1][i] = 1; return t end
    local function feval()
      grads:zero()
      local h, loss, outs = { [0] = torch.zeros(1, H) }, 0, {}
      for t = 1, T do
        outs[t] = clones[t]:forward({ onehot(seq[t]), h[t - 1] })
        h[t] = outs[t][1]
        loss = loss + crit:forward(outs[t][2], torch.Tensor({ seq[t + 1] }))
      end
      local dh = torch.zeros(1, H)
      for t = T, 1, -1 do
        local dout = crit:backward(outs[t][2], torch.Tensor({ seq[t + 1] })):clone()
        dh = clones[t]:backward({ onehot(seq[t]), h[t - 1] }, { dh, dout })[2]:clone()
      end
      return loss / T, grads
    end
    local state = { learningRate = 0.05, alpha = 0.95 }
    local first = select(2, optim.rmsprop(feval, params, state))[1]
    local last
    for _ = 1, 60 do last = select(2, optim.rmsprop(feval, params, state))[1] end
    expect.truthy(first > 1.0 and last < 0.1, string.format("loss %.4f -> %.4f", first, last))
  end)
end)

describe("fb.resnet's checkpoint pattern", function()
  it("clearState, save, load: the same outputs and the optimizer state as a plain table", function()
    torch.manualSeed(2)
    local model = nn.Sequential():add(nn.SpatialConvolution(3, 4, 3, 3, 1, 1, 1, 1))
      :add(nn.SpatialBatchNormalization(4)):add(nn.ReLU(true))
      :add(nn.SpatialAveragePooling(4, 4, 1, 1)):add(nn.View(4):setNumInputDims(3))
      :add(nn.Linear(4, 2))
    model:get(1).bias = nil
    model:get(1).gradBias = nil
    local x = torch.randn(2, 3, 4, 4)
    model:forward(x)
    model:evaluate()
    local y = model:forward(x):clone()
    model:clearState()
    expect.eq(model:get(6).output:nElement(), 0, "clearState empties outputs")
    local file = os.tmpname()
    torch.save(file, { model = model, optim = { learningRate = 0.1, momentum = 0.9 }, epoch = 3 })
    local back = torch.load(file)
    os.remove(file)
    expect.eq(back.epoch, 3)
    expect.eq(back.optim.momentum, 0.9)
    expect.eq(back.model:get(1).bias, nil, "a bias-free convolution stays bias-free")
    expect.near((back.model:forward(x) - y):abs():max(), 0, 0, "same numbers after the round trip")
  end)
end)

describe("torch.pointer as luaT gave it", function()
  it("is stable per object and distinct between objects of every kind", function()
    local m = nn.Linear(2, 2)
    expect.eq(type(torch.pointer(m)), "number", "a module, whose __tostring hides its address")
    expect.eq(torch.pointer(m), torch.pointer(m))
    expect.truthy(torch.pointer(m) ~= torch.pointer(nn.Linear(2, 2)))
    expect.eq(tostring(m), "nn.Linear(2 -> 2)", "its metatable is back in place")
    for _, v in ipairs({ {}, print, coroutine.create(print), "some text" }) do
      expect.eq(type(torch.pointer(v)), "number", type(v))
    end
    expect.eq(type(torch.pointer(3)), "number", "Torch7 answered a number for a number too")
  end)
end)
