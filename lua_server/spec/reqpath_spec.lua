-- The lean request path (issue 10): eval compiles a code string once, and a `return`
-- statement is compiled as it is, never as `return return ...` first.
local dispatch = require "server.dispatch"

-- counts the chunks dispatch compiles; the real loadstring still does the work
local function compiles_during(fn)
  local real, count = loadstring, 0
  _G.loadstring = function(...) count = count + 1; return real(...) end
  local ok, err = pcall(fn)
  _G.loadstring = real
  if not ok then error(err, 0) end
  return count
end

local function eval(code) return dispatch.eval(nil, { code = code }) end

describe("eval", function()
  it("compiles a return statement once, as written", function()
    local code = "return 40 + 2 -- reqpath_spec 1"
    expect.eq(compiles_during(function() expect.eq(eval(code)[1], 42) end), 1)
  end)

  it("compiles an expression as `return expr` and a statement after it fails", function()
    expect.eq(compiles_during(function() expect.eq(eval("6 * 7 -- reqpath_spec 2")[1], 42) end), 1)
    expect.eq(compiles_during(function()
      expect.eq(eval("local x = 6; return x * 7 -- reqpath_spec 3")[1], 42)
    end), 2)
  end)

  it("reuses the compiled chunk for the same code string, running it afresh", function()
    local code = "reqpath_spec_counter = (reqpath_spec_counter or 0) + 1; return reqpath_spec_counter"
    eval(code)
    local n = compiles_during(function()
      expect.eq(eval(code)[1], 2)
      expect.eq(eval(code)[1], 3)
    end)
    expect.eq(n, 0)
    _G.reqpath_spec_counter = nil
  end)

  it("still reports a syntax error, every time", function()
    for _ = 1, 2 do
      expect.error(function() eval("return +") end, "unexpected symbol")
    end
  end)

  it("does not mistake a name starting with 'return' for the keyword", function()
    _G.returned_value = 7
    expect.eq(eval("returned_value")[1], 7)
    _G.returned_value = nil
  end)
end)
