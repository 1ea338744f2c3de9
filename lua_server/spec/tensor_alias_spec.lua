-- multinomialAliasSetup / multinomialAlias (TensorMultinomialAlias.lua). The tables are
-- worked by hand for probs {0.1, 0.2, 0.3, 0.4}: q = 4p = {0.4, 0.8, 1.2, 1.6}; bucket 2
-- (0-based 1) pairs with 3, then 0 with 3 (q3 = 1.6 - 0.2 - 0.6 = 0.8), then 3 with 2
-- (q2 = 1.2 - 0.2 = 1); bucket 2 has no alias, so its q is 1.
require "torch"

describe("multinomialAliasSetup", function()
  it("builds Torch7's alias table (1-based) and acceptance probabilities", function()
    local state = torch.multinomialAliasSetup(torch.Tensor({ 0.1, 0.2, 0.3, 0.4 }))
    expect.same(state[1]:totable(), { 4, 4, 1, 3 })
    local q = state[2]:totable()
    for i, want in ipairs({ 0.4, 0.8, 1.0, 0.8 }) do expect.near(q[i], want, 1e-12, "q" .. i) end
    expect.eq(torch.type(state[2]), "torch.DoubleTensor")
    expect.eq(torch.type(torch.multinomialAliasSetup(torch.FloatTensor({ 0.5, 0.5 }))[2]), "torch.FloatTensor")
  end)

  it("refills a given state table and returns it", function()
    local state = { torch.LongTensor(), torch.Tensor() }
    local J = state[1]
    expect.truthy(rawequal(torch.multinomialAliasSetup(torch.Tensor({ 0.5, 0.5 }), state), state))
    expect.truthy(rawequal(state[1], J), "the same J tensor")
    expect.same(state[2]:totable(), { 1, 1 })
  end)

  it("refuses a zero probability", function()
    expect.error(function() torch.multinomialAliasSetup(torch.Tensor({ 0.5, 0, 0.5 })) end, "q_min is less than 0")
  end)
end)

describe("multinomialAlias", function()
  it("draws with one uniform(0, K) and one bernoulli(q) per sample, as Torch7", function()
    local state = torch.multinomialAliasSetup(torch.Tensor({ 0.1, 0.2, 0.3, 0.4 }))
    torch.manualSeed(1)
    local out = torch.LongTensor(50)
    expect.truthy(rawequal(torch.multinomialAlias(out, state), out), "returns output")
    torch.manualSeed(1)
    for i = 1, 50 do
      local bucket = math.floor(torch.uniform(0, 4))
      local accepted = torch.bernoulli(state[2][bucket + 1]) == 1
      expect.eq(out[i], accepted and bucket + 1 or state[1][bucket + 1] - 1, "draw " .. i)
    end
  end)

  it("leaves the state unchanged, so draws from one state repeat after reseeding", function()
    local state = torch.multinomialAliasSetup(torch.Tensor({ 0.1, 0.2, 0.3, 0.4 }))
    torch.manualSeed(7)
    local a = torch.multinomialAlias(torch.LongTensor(30), state):clone()
    expect.same(state[1]:totable(), { 4, 4, 1, 3 }, "J after a draw")
    torch.manualSeed(7)
    expect.same(torch.multinomialAlias(torch.LongTensor(30), state):totable(), a:totable())
  end)

  it("fills a non-contiguous output in place", function()
    local state = torch.multinomialAliasSetup(torch.Tensor({ 0.5, 0.5 }))
    local buf = torch.LongTensor(6, 2):zero()
    torch.multinomialAlias(buf:select(2, 1), state)
    expect.eq(buf:select(2, 2):sum(), 0, "the other column untouched")
    expect.truthy(buf:select(2, 1):min() >= 1, "drawn indices are 1-based")
  end)
end)
