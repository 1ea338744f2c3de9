-- torch.Generator (Generator.lua) and the generator argument of the random functions.
require "torch"

local function draws(g, n)
  local out = {}
  for i = 1, n do out[i] = torch.uniform(g) end
  return out
end

describe("torch.Generator", function()
  it("is a stream of its own: a seed gives the global stream's numbers, without touching it", function()
    local g = torch.Generator()
    expect.eq(torch.type(g), "torch.Generator")
    torch.manualSeed(g, 5)
    torch.manualSeed(5)
    local global_first = torch.uniform()
    expect.same(draws(g, 1), { global_first }, "same seed, same first number")
    torch.manualSeed(5)
    torch.uniform()
    local a = draws(g, 3)
    local b = draws(nil, 3)
    expect.same(a, b, "the two streams advance independently")
    expect.eq(torch.initialSeed(g), 5)
  end)

  it("every random function takes it first", function()
    local g1, g2 = torch.Generator(), torch.Generator()
    local function run(g)
      torch.manualSeed(g, 3)
      return {
        torch.random(g), torch.random(g, 6), torch.random(g, -2, 2), torch.normal(g, 1, 2),
        torch.exponential(g, 1), torch.cauchy(g), torch.logNormal(g), torch.geometric(g, 0.5),
        torch.bernoulli(g), torch.rand(g, 2):totable(), torch.randn(g, torch.LongStorage({ 2 })):totable(),
        torch.randperm(g, 4):totable(), torch.multinomial(g, torch.Tensor({ 1, 2, 3 }), 2):totable(),
        torch.Tensor(2):uniform(g, 5, 6):totable(), torch.IntTensor(3):random(g, 4):totable(),
        torch.Tensor(2):bernoulli(g, 0.5):totable(), torch.rand(torch.Tensor(), g, 1):totable(),
      }
    end
    expect.same(run(g1), run(g2), "two generators with one seed draw the same")
    local u = torch.Tensor(2):uniform(g1, 5, 6)
    expect.truthy(u:min() >= 5 and u:max() <= 6, "uniform's bounds come after the generator")
  end)

  it("getRNGState / setRNGState replay a generator; bad states are refused", function()
    local g = torch.Generator()
    torch.manualSeed(g, 9)
    torch.normal(g)  -- leaves a cached normal in the state
    local s = torch.getRNGState(g)
    expect.eq(s:nElement(), 5048, "Torch7's THGenerator size")
    local a = { torch.normal(g), torch.uniform(g) }
    expect.truthy(rawequal(torch.setRNGState(g, s), s), "returns the state")
    expect.same({ torch.normal(g), torch.uniform(g) }, a)
    expect.error(function() torch.setRNGState(g, torch.ByteTensor(100):zero()) end,
      "bad argument #1 to 'setRNGState' (RNG state is wrong size)")
    expect.error(function() torch.setRNGState(g, torch.ByteTensor(5048):zero()) end,
      "bad argument #1 to 'setRNGState' (Invalid RNG state)")
  end)

  it("is saved and loaded with its state, as Torch7's raw struct bytes", function()
    local g = torch.Generator()
    torch.manualSeed(g, 42)
    torch.uniform(g)
    local f = torch.MemoryFile()
    f:binary()
    f:writeObject(g)
    f:seek(1)
    local back = f:readObject()
    expect.eq(torch.type(back), "torch.Generator")
    expect.same(draws(back, 3), draws(g, 3))
    -- the body is exactly the 5048 state bytes after the class header
    local bytes = f:storage():size()
    expect.truthy(bytes > 5048 and bytes < 5048 + 64, "payload size " .. bytes)
  end)

  it("re-saves Torch7's own saved generator byte for byte", function()
    local path = "tests/fixtures/torch7/tensor_lib/generator_saved.t7"
    local g = torch.load(path)
    local f = torch.MemoryFile()
    f:binary()
    f:writeObject(g)
    local original = io.open(path, "rb")
    local want = original:read("*a")
    original:close()
    -- a MemoryFile's storage ends with Torch7's NUL terminator
    expect.eq(f:storage():string(), want .. "\0")
  end)
end)
