-- Stack frames of class calls as Torch7's luaT leaves them: debug.getinfo levels seen from
-- __init and __call__ must count the (C, in luaT) forwarders, because nngraph and user code
-- find "the line that built this object" by a fixed level.
local torch = require "torch.env"

local function where(level)
  local info = debug.getinfo(level + 1, "Sl")
  return info.short_src .. ":" .. info.currentline
end

describe("class call frames", function()
  local Probe = torch.class("framespec.Probe")
  function Probe:__init() self.at = where(4) end       -- past constructor and ctor __call
  function Probe:__call__() local at = where(3); return at end  -- past the instance __call

  it("a constructor call sits three levels above __init, as in luaT", function()
    local here = debug.getinfo(1, "Sl")
    local p = framespec.Probe()
    expect.eq(p.at, here.short_src .. ":" .. (here.currentline + 1))
  end)
  it("an instance call sits two levels above __call__, as in luaT", function()
    local p = framespec.Probe()
    local here = debug.getinfo(1, "Sl")
    local at = p()
    expect.eq(at, here.short_src .. ":" .. (here.currentline + 1))
  end)
  it("still returns every result of __call__", function()
    local Multi = torch.class("framespec.Multi")
    function Multi:__call__(a, b) return b, a, nil, 4 end
    local r = { n = select("#", framespec.Multi()(1, 2)), framespec.Multi()(1, 2) }
    expect.same(r, { n = 4, 2, 1, nil, 4 })
  end)
end)

describe("class equality", function()
  it("compares objects without __eq__ by identity, as luaT does", function()
    local Plain = torch.class("framespec.Plain")
    local a, b = framespec.Plain(), framespec.Plain()
    expect.eq(a == b, false)
    expect.eq(a ~= b, true)
    expect.eq(a == a, true)
  end)
end)
