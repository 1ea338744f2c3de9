-- nn's support code: diagonal Hessians (nn.hessian, Jacobian.testDiagHessian*),
-- nn.SparseJacobian, nn.tables, nn.StochasticGradient, ErrorMessages, nn.utils helpers,
-- Module:write/read, nn.test and the errors nested containers raise.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
local T = torch.Tensor
torch.manualSeed(1)  -- fixed draws: the statistical checks cannot fail by chance
local jac = nn.Jacobian

describe("nn.hessian", function()
  nn.hessian.enable()

  it("gives Linear's exact diagonal Hessian for F = |y|^2 / 2", function()
    local l = nn.Linear(2, 2)
    l.weight:copy(T { { 1, 2 }, { 3, 4 } })
    l.bias:zero()
    l:initDiagHessianParameters()
    local x = T { 1, -1 }
    l:forward(x)
    local ones = T { 1, 1 }
    -- d2F/dx_i2 = sum_k W_ki^2; d2F/dW_ki2 = x_i^2; d2F/db_k2 = 1
    H.tensor(l:updateDiagHessianInput(x, ones), { 10, 20 }, 1e-12, "input")
    l.diagHessianWeight:zero()
    l.diagHessianBias:zero()
    l:accDiagHessianParameters(x, ones)
    H.tensor(l.diagHessianWeight, { { 1, 1 }, { 1, 1 } }, 1e-12, "weight")
    H.tensor(l.diagHessianBias, { 1, 1 }, 1e-12, "bias")
    H.tensor(l.gradWeight, l.gradWeight:clone(), 0, "gradients untouched")
  end)

  it("agrees with the first-derivative estimate for Linear and SpatialConvolution", function()
    local l = nn.Linear(3, 2)
    for _, x in ipairs({ torch.Tensor(3), torch.Tensor(4, 3) }) do
      expect.truthy(jac.testDiagHessianInput(l, x) < 1e-5, "Linear input")
      expect.truthy(jac.testDiagHessianWeight(l, x) < 1e-5, "Linear weight")
      expect.truthy(jac.testDiagHessianBias(l, x) < 1e-5, "Linear bias")
    end
    local c = nn.SpatialConvolution(2, 2, 2, 2)
    local x = torch.Tensor(2, 3, 3)
    expect.truthy(jac.testDiagHessianInput(c, x) < 1e-5, "convolution input")
    expect.truthy(jac.testDiagHessianWeight(c, x) < 1e-5, "convolution weight")
    expect.truthy(jac.testDiagHessianBias(c, x) < 1e-5, "convolution bias")
  end)

  it("chains through Sequential and elementwise layers, and ends at MSECriterion", function()
    local s = nn.Sequential():add(nn.Linear(2, 2)):add(nn.Tanh())
    s:initDiagHessianParameters()
    local x = T { 0.5, -0.5 }
    s:forward(x)
    local d = s:updateDiagHessianInput(x, T { 1, 1 })
    local y = s.modules[1].output
    local dtanh = torch.Tensor(2):copy(y):tanh():pow(2):mul(-1):add(1):pow(2)
    local w2 = torch.cmul(s.modules[1].weight, s.modules[1].weight)
    H.tensor(d, w2:t() * dtanh, 1e-12, "(W.^2)' tanh'(y)^2")
    local mse = nn.MSECriterion()
    H.tensor(mse:updateDiagHessianInput(T { 1, 2 }, T { 0, 0 }), { 1, 1 }, 1e-12, "2 / n")
    local p, g, h = s:getParameters()
    expect.eq(h:nElement(), p:nElement(), "getParameters adds the flat Hessian")
    expect.error(function() nn.Identity():updateDiagHessianInput(T { 1 }, T { 1 }) end,
      "nn.Identity:updateDiagHessianInput() is undefined")
  end)
end)

describe("nn.SparseJacobian", function()
  -- a dense layer reading a sparse {index, value} input, enough to exercise the checks
  local Sparse = torch.class("nn.SparseSpecDense", "nn.Module")
  function Sparse:__init(n, m)
    nn.Module.__init(self)
    self.weight, self.gradWeight = torch.randn(m, n), torch.zeros(m, n)
  end
  function Sparse:updateOutput(input)
    self.output:resize(self.weight:size(1)):zero()
    for i = 1, input:size(1) do self.output:add(input[i][2], self.weight:select(2, input[i][1])) end
    return self.output
  end
  function Sparse:updateGradInput(input, gradOutput)
    self.gradInput:resizeAs(input):zero()
    for i = 1, input:size(1) do
      self.gradInput[i][1] = input[i][1]
      self.gradInput[i][2] = self.weight:select(2, input[i][1]):dot(gradOutput)
    end
    return self.gradInput
  end
  function Sparse:accGradParameters(input, gradOutput, scale)
    for i = 1, input:size(1) do
      self.gradWeight:select(2, input[i][1]):add((scale or 1) * input[i][2], gradOutput)
    end
  end

  it("checks gradients with respect to the values of a sparse input", function()
    local m = nn.SparseSpecDense(5, 3)
    local input = T { { 2, 0 }, { 5, 0 } }
    expect.truthy(nn.SparseJacobian.testJacobian(m, input) < 1e-5, "values")
    expect.truthy(nn.SparseJacobian.testJacobianParameters(m, input, m.weight, m.gradWeight) < 1e-5, "weight")
    expect.truthy(nn.SparseJacobian.testJacobianUpdateParameters(m, input, m.weight) < 1e-5, "update")
    H.tensor(input:select(2, 1), { 2, 5 }, 0, "indices untouched")
    -- a wrong gradient is caught
    local wrong = nn.SparseSpecDense(5, 3)
    wrong.updateGradInput = function(self, inp, go)
      Sparse.updateGradInput(self, inp, go)
      self.gradInput:select(2, 2):mul(2)
      return self.gradInput
    end
    expect.truthy(nn.SparseJacobian.testJacobian(wrong, T { { 1, 0 }, { 3, 0 } }) > 1e-3, "caught")
  end)
end)

describe("nn.tables", function()
  it("builds full, one-to-one and random connection tables", function()
    H.tensor(nn.tables.full(2, 2), { { 1, 1 }, { 2, 1 }, { 1, 2 }, { 2, 2 } }, 0, "full")
    H.tensor(nn.tables.oneToOne(3), { { 1, 1 }, { 2, 2 }, { 3, 3 } }, 0, "one to one")
    torch.manualSeed(1)
    local t = nn.tables.random(4, 3, 2)
    expect.eq(H.size(t), "6x2", "nto rows per output plane")
    H.tensor(t:select(2, 2), { 1, 1, 2, 2, 3, 3 }, 0, "output planes in order")
    for o = 1, 3 do
      expect.truthy(t[2 * o - 1][1] ~= t[2 * o][1], "distinct inputs for one output")
    end
    -- the inputs come from randperm draws: the same seed gives the same table
    torch.manualSeed(1)
    H.tensor(nn.tables.random(4, 3, 2), t, 0, "reproducible")
  end)
end)

describe("nn.StochasticGradient", function()
  it("trains a linear model by plain SGD, one example at a time", function()
    local dataset = {}
    function dataset:size() return 4 end
    for i = 1, 4 do
      local x = T { i / 4 }
      dataset[i] = { x, T { 2 * x[1] + 1 } }
    end
    local lin = nn.Linear(1, 1)
    lin.weight:zero()
    lin.bias:zero()
    local sgd = nn.StochasticGradient(lin, nn.MSECriterion())
    sgd.maxIteration, sgd.learningRate, sgd.verbose, sgd.shuffleIndices = 300, 0.2, false, false
    local errors = {}
    sgd.hookIteration = function(_, _, err) errors[#errors + 1] = err end
    local saved = print
    _G.print = function() end
    local ok, err = pcall(sgd.train, sgd, dataset)
    _G.print = saved
    if not ok then error(err, 0) end
    expect.eq(#errors, 300, "one report per epoch")
    expect.truthy(errors[300] < errors[1] / 100, "the error falls")
    expect.near(lin.weight[1][1], 2, 0.05, "slope")
    expect.near(lin.bias[1], 1, 0.05, "intercept")
  end)
end)

describe("nn support odds and ends", function()
  it("explains nn calls on integer tensors", function()
    expect.error(function() return torch.LongTensor(2).nn.Foo_updateOutput end,
      "nn.Foo_updateOutput is only supported for Float or Double Tensors.")
  end)

  it("adds a singleton dimension, into a given tensor if asked", function()
    local t = torch.randn(2, 3)
    expect.eq(H.size(nn.utils.addSingletonDimension(t)), "1x2x3", "default first")
    expect.eq(H.size(nn.utils.addSingletonDimension(t, 3)), "2x3x1", "last")
    local out = torch.Tensor()
    expect.truthy(nn.utils.addSingletonDimension(out, t:t(), 2) == out, "into the given tensor")
    expect.eq(H.size(out), "3x1x2", "size")
    H.tensor(out:select(2, 1), t:t(), 0, "shares the values")
    expect.error(function() nn.utils.addSingletonDimension(t, 4) end, "invalid dimension: 4")
  end)

  it("views contiguously, copying when it must", function()
    local t = torch.randn(2, 3)
    local v = nn.utils.contiguousView(nil, t, 3, 2)
    expect.truthy(torch.pointer(v:storage()) == torch.pointer(t:storage()), "a view")
    local w = nn.utils.contiguousView(nil, t:t(), 6)
    H.tensor(w, t:t():contiguous():view(6), 0, "a copy")
  end)

  it("writes modules as their table of fields, as Torch7 did", function()
    local l = nn.Linear(2, 3)
    local f = torch.MemoryFile("rw"):binary()
    l:write(f)
    f:seek(1)
    local fields = f:readObject()
    expect.truthy(torch.isTensor(fields.weight) and fields.weight ~= l.weight, "a copy of the fields")
    local m = nn.Linear(1, 1)
    f:seek(1)
    m:read(f)
    H.tensor(m.weight, l.weight, 0, "read back")
    f:close()
  end)

  it("names the nested modules and the size mismatch when a layer gets a wrong input", function()
    local model = nn.Sequential():add(nn.Identity())
      :add(nn.Concat(1):add(nn.Parallel(1, 1):add(nn.Linear(1, 1)))):add(nn.Identity())
    local err = expect.error(function() model:forward(torch.randn(1, 2, 2)) end, "size mismatch")
    expect.truthy(err:find("In 2 module of nn.Sequential:\nIn 1 module of nn.Concat:\nIn 1 module of nn.Parallel:\n",
      1, true), err)
  end)

  it("runs torch/nn's test file when one is given", function()
    local path = os.tmpname()
    local f = io.open(path, "w")
    f:write("function nn.test(names) return 'ran ' .. tostring(names and names[1]) end\n")
    f:close()
    local saved = nn.test
    local env = os.getenv("NN_TEST_FILE")
    expect.truthy(env == nil or env == "", "no test file configured in the spec run")
    -- the loader finds the file through package.path as nn/testsuite.lua
    local dir = path:match("^(.*)/[^/]*$") .. "/nnspec" .. tostring(os.time())
    os.execute("mkdir -p " .. dir .. "/nn && cp " .. path .. " " .. dir .. "/nn/testsuite.lua")
    local oldPath = package.path
    package.path = dir .. "/?.lua;" .. oldPath
    local ok, result = pcall(nn.test, { "Linear" })
    package.path = oldPath
    nn.test = saved
    os.execute("rm -rf " .. dir)
    os.remove(path)
    expect.truthy(ok, tostring(result))
    expect.eq(result, "ran Linear", "the file's nn.test ran")
  end)
end)
