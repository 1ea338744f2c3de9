-- Every case of tests/fixtures/torch7/tensor_lib/conv.t7 (written by real Torch7) replayed:
-- conv2 xcorr2 conv3 xcorr3 values (exact: small integer inputs), sizes, strides, offsets,
-- result-tensor identity and error texts.
require "torch"
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local R = dofile(here .. "lua_server/spec/tensor_lib_replay.lua")

local cases = torch.load(here .. "tests/fixtures/torch7/tensor_lib/conv.t7")
local names = {}
for name in pairs(cases) do names[#names + 1] = name end
table.sort(names, function(a, b) return cases[a].index < cases[b].index end)

describe("Torch7 conv.t7", function()
  it("holds 58 cases", function() expect.eq(#names, 58) end)
  for _, name in ipairs(names) do
    local case = cases[name]
    it(name, function()
      local env = R.inputs(case)
      local ok, err = R.run(case, env)
      R.compare(case, env, ok, err, { tol = 0 })
    end)
  end
end)
