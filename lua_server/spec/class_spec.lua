local torch = require "torch.env"

describe("torch.class", function()
  local A = torch.class("spec.A")
  function A:__init(x) self.x = x end
  function A:get() return self.x end
  function A:__tostring__() return "A(" .. tostring(self.x) .. ")" end
  local B, parentB = torch.class("spec.B", "spec.A")
  function B:__init(x, y) parentB.__init(self, x); self.y = y end

  it("constructs through the namespace and runs __init", function()
    local a = spec.A(3)
    expect.eq(a:get(), 3)
    expect.eq(torch.typename(a), "spec.A")
    expect.eq(tostring(a), "A(3)")
  end)
  it("inherits methods and metamethods from the parent", function()
    local b = spec.B(1, 2)
    expect.eq(b:get(), 1)
    expect.eq(b.y, 2)
    expect.eq(tostring(b), "A(1)")
    expect.truthy(torch.isTypeOf(b, "spec.A"))
    expect.truthy(torch.isTypeOf(b, spec.A))
    expect.eq(torch.isTypeOf(spec.A(1), "spec.B"), false)
  end)
  it("types plain values by their Lua type", function()
    expect.eq(torch.type(3), "number")
    expect.eq(torch.typename({}), nil)
    expect.eq(torch.type(spec.B(1, 2)), "spec.B")
  end)
  it("makes uninitialised instances with factory", function()
    local b = torch.factory("spec.B")()
    expect.eq(b.x, nil)
    expect.eq(torch.typename(b), "spec.B")
  end)
  it("refuses to define a class twice and names it", function()
    expect.error(function() torch.class("spec.A") end, "class spec.A already exists")
  end)
  it("honours an __index__ hook defined after the class", function()
    local C = torch.class("spec.C")
    function C:__init() end
    C.__index__ = function(self, k)
      if type(k) == "number" then return k * 10, true end
      return nil, false
    end
    function C:m() return "m" end
    local c = spec.C()
    expect.eq(c[4], 40)
    expect.eq(c:m(), "m")
  end)
end)
