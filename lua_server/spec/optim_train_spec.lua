-- End to end: an nn.Sequential (Linear-Tanh-Linear) trained by optim through the usual
-- Torch7 idiom, params, gradParams = net:getParameters() and a feval closure.
require "nn"
require "optim"

-- 32 points on a grid in [-1, 1) x [-0.75, 0.75] with a smooth target
local function dataset()
  local N = 32
  local inputs, targets = torch.Tensor(N, 2), torch.Tensor(N, 1)
  for i = 1, N do
    local a, b = (i % 8) / 4 - 1, math.floor((i - 1) / 8) / 2 - 0.75
    inputs[i][1], inputs[i][2] = a, b
    targets[i][1] = 0.5 * a * b + 0.3 * a - 0.2
  end
  return inputs, targets
end

local function model()
  return nn.Sequential():add(nn.Linear(2, 8)):add(nn.Tanh()):add(nn.Linear(8, 1))
end

-- the closure every Torch7 training script writes
local function make_feval(net, params, gradParams, inputs, targets)
  local crit = nn.MSECriterion()
  local calls = 0
  return function(p)
    calls = calls + 1
    if p ~= params then params:copy(p) end
    gradParams:zero()
    local out = net:forward(inputs)
    local loss = crit:forward(out, targets)
    net:backward(inputs, crit:backward(out, targets))
    return loss, gradParams
  end, function() return calls end
end

describe("optim training an nn model", function()
  it("sgd with momentum drives the MSE down by a factor of 100", function()
    torch.manualSeed(1)
    local inputs, targets = dataset()
    local net = model()
    local params, gradParams = net:getParameters()
    expect.eq(params:nElement(), 2 * 8 + 8 + 8 + 1, "parameter count")
    local feval, calls = make_feval(net, params, gradParams, inputs, targets)
    local state = { learningRate = 0.1, momentum = 0.9 }
    local first, last
    for i = 1, 1500 do
      local x, fs = optim.sgd(feval, params, state)
      expect.truthy(x == params, "sgd returns the flat parameters")
      if i == 1 then first = fs[1] end
      last = fs[1]
    end
    expect.eq(calls(), 1500, "one evaluation per step")
    expect.eq(state.evalCounter, 1500, "evalCounter")
    expect.truthy(first > 0.1, "initial loss " .. first)
    expect.truthy(last < 1e-3 and last < first / 100, "final loss " .. last)
    -- the modules' own tensors are views of params: the update reached them
    local w = net.modules[1].weight
    expect.eq(w[1][1], params[1], "weight[1][1] is params[1]")
    expect.eq(net.modules[3].bias[1], params[params:nElement()], "last bias is the last parameter")
    local loss = nn.MSECriterion():forward(net:forward(inputs), targets)
    expect.truthy(loss < 1e-3, "loss of the trained net " .. loss)
  end)

  it("adam trains the same model", function()
    torch.manualSeed(2)
    local inputs, targets = dataset()
    local net = model()
    local params, gradParams = net:getParameters()
    local feval = make_feval(net, params, gradParams, inputs, targets)
    local state = { learningRate = 0.01 }
    local first, last
    for i = 1, 1000 do
      local _, fs = optim.adam(feval, params, state)
      if i == 1 then first = fs[1] end
      last = fs[1]
    end
    expect.eq(state.t, 1000, "state.t")
    expect.truthy(last < 1e-3 and last < first / 100, "final loss " .. last .. " from " .. first)
  end)

  it("lbfgs with lswolfe fits it to high accuracy", function()
    torch.manualSeed(3)
    local inputs, targets = dataset()
    local net = model()
    local params, gradParams = net:getParameters()
    local feval, calls = make_feval(net, params, gradParams, inputs, targets)
    local _, fh, nEval = optim.lbfgs(feval, params, { maxIter = 200, lineSearch = optim.lswolfe })
    expect.eq(nEval, calls(), "evaluations counted")
    expect.truthy(fh[#fh] < 1e-5 and fh[#fh] < fh[1] / 1e4, "final loss " .. fh[#fh] .. " from " .. fh[1])
  end)
end)
