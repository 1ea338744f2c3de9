-- Class-specific read fixes for models saved by older Torch7 nn versions.
require "nn"

local function saved_as_version(module, version, prepare)
  local mt = torch.getmetatable(torch.typename(module))
  local current = rawget(mt, "__version")
  prepare(module)
  rawset(mt, "__version", version)
  local ok, bytes = pcall(torch.serialize, module)
  rawset(mt, "__version", current)
  assert(ok, bytes)
  return bytes
end

describe("reading older nn files", function()
  it("LookupTable version 2 (weight stored nOutput x nIndex) loads as nIndex x nOutput", function()
    local lt = nn.LookupTable(5, 3)
    local expected = lt.weight:clone()
    local bytes = saved_as_version(lt, 2, function(m)
      m.weight = m.weight:t():contiguous()
      m.gradWeight = m.gradWeight:t():contiguous()
    end)
    local loaded = torch.deserialize(bytes)
    expect.same(loaded.weight:size():totable(), { 5, 3 })
    expect.eq((loaded.weight - expected):abs():max(), 0)
    local out = loaded:forward(torch.LongTensor({ 2, 5 }))
    expect.same(out:totable(), { expected[2]:totable(), expected[5]:totable() })
  end)

  it("LookupTable version 4 loads unchanged", function()
    local lt = nn.LookupTable(4, 2)
    local loaded = torch.deserialize(torch.serialize(lt))
    expect.eq((loaded.weight - lt.weight):abs():max(), 0)
    expect.eq(loaded.shouldScaleGradByFreq, false)
  end)

  it("BatchNormalization version 1 (running_std) loads with running_var", function()
    local bn = nn.BatchNormalization(3)
    bn.running_var:copy(torch.Tensor({ 1, 4, 0.25 }))
    local bytes = saved_as_version(bn, 1, function(m)
      m.running_std = torch.Tensor(3):copy(m.running_var):add(m.eps):pow(-0.5)
      m.running_var = nil
    end)
    local loaded = torch.deserialize(bytes)
    expect.eq(loaded.running_std, nil)
    for i, v in ipairs { 1, 4, 0.25 } do expect.near(loaded.running_var[i], v, 1e-12) end
  end)
end)
