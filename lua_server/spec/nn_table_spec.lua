-- Table modules: JoinTable, SplitTable, CAddTable, CSubTable, CMulTable, CDivTable,
-- Identity, SelectTable, NarrowTable, FlattenTable.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor

describe("nn.JoinTable", function()
  it("joins along a dimension and splits the gradient back", function()
    local j = nn.JoinTable(1)
    local out = j:forward({ T { { 1, 2 } }, T { { 3, 4 }, { 5, 6 } } })
    H.tensor(out, { { 1, 2 }, { 3, 4 }, { 5, 6 } }, 0, "dim 1")
    local gi = j:backward({ T { { 1, 2 } }, T { { 3, 4 }, { 5, 6 } } }, T { { 1, 1 }, { 2, 2 }, { 3, 3 } })
    expect.eq(#gi, 2, "two gradients")
    H.tensor(gi[1], { { 1, 1 } }, 0, "first")
    H.tensor(gi[2], { { 2, 2 }, { 3, 3 } }, 0, "second")
    H.tensor(nn.JoinTable(2):forward({ T { { 1 }, { 2 } }, T { { 3 }, { 4 } } }), { { 1, 3 }, { 2, 4 } }, 0, "dim 2")
    H.tensor(nn.JoinTable(-1):forward({ T { { 1 }, { 2 } }, T { { 3 }, { 4 } } }), { { 1, 3 }, { 2, 4 } }, 0,
      "negative dim")
  end)

  it("shifts the dimension for batched input with nInputDims", function()
    local j = nn.JoinTable(1, 1)
    H.tensor(j:forward({ T { 1, 2 }, T { 3 } }), { 1, 2, 3 }, 0, "unbatched")
    H.tensor(j:forward({ T { { 1, 2 } }, T { { 3 } } }), { { 1, 2, 3 } }, 0, "batched joins dim 2")
  end)

  it("names mismatched inputs", function()
    expect.error(function() nn.JoinTable(1):forward({ torch.Tensor(2, 2), torch.Tensor(2) }) end,
      "nn.JoinTable: input 2 has 1 dimensions, input 1 has 2")
  end)

  it("passes a finite-difference check", function()
    expect.truthy(H.gradInputError(nn.JoinTable(2), { torch.randn(2, 3), torch.randn(2, 1) }) < 1e-5, "Jacobian")
  end)
end)

describe("nn.SplitTable", function()
  it("splits into views along a dimension", function()
    local s = nn.SplitTable(2)
    local x = T { { 1, 2 }, { 3, 4 } }
    local out = s:forward(x)
    expect.eq(#out, 2, "two slices")
    H.tensor(out[1], { 1, 3 }, 0, "column 1")
    H.tensor(out[2], { 2, 4 }, 0, "column 2")
    x[1][1] = 9
    expect.eq(out[1][1], 9, "a view of the input")
    local gi = s:backward(x, { T { 1, 2 }, T { 3, 4 } })
    H.tensor(gi, { { 1, 3 }, { 2, 4 } }, 0, "gradInput")
    expect.eq(#nn.SplitTable(-1):forward(torch.Tensor(2, 5)), 5, "negative dim")
    expect.eq(#nn.SplitTable(1, 1):forward(torch.Tensor(3, 4)), 4, "batched with nInputDims")
    expect.truthy(H.gradInputError(nn.SplitTable(1), torch.randn(3, 2)) < 1e-5, "Jacobian")
  end)
end)

describe("elementwise table arithmetic", function()
  local a, b, c = T { 1, 2, 3 }, T { 4, -5, 6 }, T { 0.5, 2, -1 }

  it("CAddTable sums", function()
    local m = nn.CAddTable()
    H.tensor(m:forward({ a, b, c }), { 5.5, -1, 8 }, 0, "sum")
    local gi = m:backward({ a, b, c }, T { 1, 2, 3 })
    expect.eq(#gi, 3, "one gradient per input")
    H.tensor(gi[3], { 1, 2, 3 }, 0, "copies of gradOutput")
    expect.truthy(gi[1] ~= gi[2], "separate tensors")
  end)

  it("CAddTable(true) accumulates into input[1]", function()
    local x = T { 1, 1 }
    local m = nn.CAddTable(true)
    local out = m:forward({ x, T { 2, 3 } })
    H.tensor(x, { 3, 4 }, 0, "input[1] holds the sum")
    expect.eq(torch.pointer(out:storage()), torch.pointer(x:storage()), "output shares it")
    local g = T { 7, 8 }
    local gi = m:backward({ x, T { 2, 3 } }, g)
    expect.eq(torch.pointer(gi[2]:storage()), torch.pointer(g:storage()), "gradients are gradOutput")
  end)

  it("CSubTable subtracts", function()
    local m = nn.CSubTable()
    H.tensor(m:forward({ a, b }), { -3, 7, -3 }, 0, "difference")
    local gi = m:backward({ a, b }, T { 1, 2, 3 })
    H.tensor(gi[1], { 1, 2, 3 }, 0, "d/da")
    H.tensor(gi[2], { -1, -2, -3 }, 0, "d/db")
  end)

  it("CMulTable multiplies, with gradients the products of the others", function()
    local m = nn.CMulTable()
    H.tensor(m:forward({ a, b, c }), { 2, -20, -18 }, 0, "product")
    local gi = m:backward({ a, b, c }, T { 1, 1, 2 })
    H.tensor(gi[1], { 2, -10, -12 }, 0, "b c g")
    H.tensor(gi[2], { 0.5, 4, -6 }, 0, "a c g")
    H.tensor(gi[3], { 4, -10, 36 }, 0, "a b g")
    -- zeros in the input must not break it (output / input would)
    local z = m:backward({ T { 0, 1 }, T { 3, 4 } }, T { 1, 1 })
    H.tensor(z[1], { 3, 4 }, 0, "with a zero")
    expect.truthy(H.gradInputError(nn.CMulTable(), { torch.randn(4), torch.randn(4), torch.randn(4) }) < 1e-5,
      "Jacobian")
  end)

  it("CDivTable divides", function()
    local m = nn.CDivTable()
    H.tensor(m:forward({ a, c }), { 2, 1, -3 }, 0, "quotient")
    local gi = m:backward({ a, c }, T { 1, 1, 1 })
    H.tensor(gi[1], { 2, 0.5, -1 }, 1e-15, "g / c")
    H.tensor(gi[2], { -4, -0.5, -3 }, 1e-15, "-g a / c^2")
    expect.truthy(H.gradInputError(nn.CDivTable(), { torch.randn(4), torch.rand(4):add(1) }) < 1e-5, "Jacobian")
  end)

  it("all pass a finite-difference check", function()
    for _, name in ipairs { "CAddTable", "CSubTable" } do
      expect.truthy(H.gradInputError(nn[name](), { torch.randn(2, 3), torch.randn(2, 3) }) < 1e-5, name)
    end
  end)
end)

describe("nn.Identity", function()
  it("passes the input and the gradient through unchanged (same objects)", function()
    local m = nn.Identity()
    local x, g = T { 1, 2 }, T { 3, 4 }
    expect.eq(m:forward(x), x, "output is the input")
    expect.eq(m:backward(x, g), g, "gradInput is gradOutput")
    local t = { x, g }
    expect.eq(m:forward(t), t, "tables too")
    m:clearState()
    expect.eq(x[1], 1, "clearState leaves the input alone")
    expect.same(m.output, {}, "the table reference is dropped for a fresh table")
    expect.eq(m.gradInput:nElement(), 0, "the tensor reference for a fresh tensor")
    expect.eq(g[2], 4, "the old gradOutput is untouched")
  end)
end)

describe("nn.SelectTable", function()
  it("selects an entry, negative indices from the end", function()
    local x = { T { 1 }, T { 2, 3 }, T { 4 } }
    expect.eq(nn.SelectTable(2):forward(x), x[2], "the entry itself")
    expect.eq(nn.SelectTable(-1):forward(x), x[3], "-1 is the last")
    local m = nn.SelectTable(-2)
    m:forward(x)
    local gi = m:backward(x, T { 7, 8 })
    expect.eq(#gi, 3, "shaped like the input")
    H.tensor(gi[1], { 0 }, 0, "zero elsewhere")
    H.tensor(gi[2], { 7, 8 }, 0, "gradOutput at the index")
    H.tensor(gi[3], { 0 }, 0, "zero elsewhere")
    expect.eq(tostring(m), "nn.SelectTable(-2)", "prints")
    expect.error(function() nn.SelectTable(5):forward(x) end, "index does not exist in the input table")
  end)

  it("handles nested tables", function()
    local x = { T { 1 }, { T { 2 }, T { 3 } } }
    local m = nn.SelectTable(2)
    m:forward(x)
    local gi = m:backward(x, { T { 5 }, T { 6 } })
    H.tensor(gi[2][2], { 6 }, 0, "nested gradient copied")
    H.tensor(gi[1], { 0 }, 0, "zeros")
  end)
end)

describe("nn.NarrowTable", function()
  it("takes length entries from offset", function()
    local x = { T { 1 }, T { 2 }, T { 3 }, T { 4 } }
    local m = nn.NarrowTable(2, 2)
    local out = m:forward(x)
    expect.eq(#out, 2, "length")
    expect.eq(out[1], x[2], "from offset")
    expect.eq(out[2], x[3], "second")
    expect.eq(#nn.NarrowTable(3):forward(x), 1, "length defaults to 1")
    local gi = m:backward(x, { T { 5 }, T { 6 } })
    expect.eq(#gi, 4, "shaped like the input")
    H.tensor(gi[1], { 0 }, 0, "zero outside")
    H.tensor(gi[3], { 6 }, 0, "passed through")
    H.tensor(gi[4], { 0 }, 0, "zero outside")
    expect.error(function() nn.NarrowTable() end, "nn.NarrowTable(offset, length)")
  end)
end)

describe("nn.FlattenTable", function()
  it("flattens nested tables depth first and rebuilds the gradient's nesting", function()
    local a, b, c, d = T { 1 }, T { 2 }, T { 3 }, T { 4 }
    local x = { a, { b, { c } }, d }
    local m = nn.FlattenTable()
    local out = m:forward(x)
    expect.eq(#out, 4, "four leaves")
    expect.eq(out[1], a, "a")
    expect.eq(out[3], c, "c, depth first")
    expect.eq(out[4], d, "d")
    local g = { T { 10 }, T { 20 }, T { 30 }, T { 40 } }
    local gi = m:backward(x, g)
    expect.eq(gi[2][2][1], g[3], "nesting rebuilt")
    expect.eq(gi[3], g[4], "last")
    expect.eq(m:forward(x), out, "same input: the output table is reused")
  end)
end)
