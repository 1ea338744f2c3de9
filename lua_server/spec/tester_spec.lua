-- torch.Tester / torch.TestSuite: assertions, their failure messages, and the report of
-- run() (Torch7's Tester.lua format, without colours).
require "torch"

local function capture_write(fn)
  local out = {}
  local write = io.write
  io.write = function(...) for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end end
  local ok, err = pcall(fn)
  io.write = write
  return table.concat(out), ok, err
end

-- the line Torch7 writes for test i of n: "i/n name ....... " padded to 80 - 6 columns
local function head(i, n, name)
  local counter = tostring(n)
  return string.format("%" .. #counter .. "u/%s ", i, counter) .. name .. " "
    .. string.rep(".", 80 - 6 - 2 - (#counter * 2 + 2) - #name) .. " "
end

local function last_error(tester)
  return tester.errors[#tester.errors]
end

describe("torch.TestSuite", function()
  it("refuses redefinitions and non-functions", function()
    local suite = torch.TestSuite()
    function suite.a() end
    expect.eq(type(suite.a), "function")
    expect.error(function() suite.a = function() end end, "Test a is already defined.")
    expect.error(function() suite.b = {} end, "Nested tables of tests are not supported")
    expect.error(function() suite.c = 1 end, "Only functions are supported as members of a TestSuite")
  end)
end)

describe("torch.Tester assertions", function()
  it("eq compares numbers, tensors and tables with a tolerance", function()
    local t = torch.Tester()
    expect.eq(t:eq(1, 1.05, 0.1), true)
    expect.eq(t:eq(1, 1.5, 0.1), false)
    expect.truthy(last_error(t):find("EQ failed: 1 ~= 1.5 with tolerance=0.1", 1, true), last_error(t))
    expect.eq(t:eq(torch.Tensor({ 1, 2 }), torch.Tensor({ 1, 2.001 }), 0.01), true)
    expect.eq(t:eq(torch.Tensor({ 1, 2 }), torch.Tensor({ 1, 3 })), false)
    expect.truthy(last_error(t):find("TensorEQ(==) violation: max diff=1, tolerance=0", 1, true), last_error(t))
    expect.eq(t:eq(torch.Tensor({ 1, 2 }), torch.Tensor({ { 1, 2 } })), false)
    expect.truthy(last_error(t):find("The tensors have different dimensions", 1, true))
    expect.eq(t:eq(torch.Tensor({ 1 }), torch.FloatTensor({ 1 })), false)
    expect.truthy(last_error(t):find("The tensors have different types", 1, true))
    expect.eq(t:eq({ a = 1, b = { torch.Tensor({ 1 }), "x" } }, { a = 1.01, b = { torch.Tensor({ 1.02 }), "x" } }, 0.05), true)
    expect.eq(t:eq({ a = 1, b = { c = 2 } }, { a = 1, b = { c = 3 } }), false)
    expect.truthy(last_error(t):find("At table location b.c: EQ failed: 2 ~= 3", 1, true), last_error(t))
    expect.eq(t:eq({ a = 1 }, { a = 1, z = 2 }), false)
    expect.truthy(last_error(t):find("Entry z missing in first table (is 2 in second)", 1, true))
    expect.eq(t:eq(1, "1"), false)
    expect.truthy(last_error(t):find("EQ failed: values have different types (first: number, second: string)", 1, true))
    expect.eq(t:ne(1, 2), true)
    expect.eq(t:ne(1, 1), false)
    expect.truthy(last_error(t):find("NE failed: 1 == 1", 1, true))
    expect.eq(t:assertEq(torch.LongStorage({ 1, 2 }), torch.LongStorage({ 1, 2 })), true)
  end)

  it("puts the message first and accepts tolerance and message in either order", function()
    local t = torch.Tester()
    expect.eq(t:eq(1, 2, "sum is wrong"), false)
    expect.truthy(last_error(t):find("sum is wrong\nEQ failed: 1 ~= 2", 1, true), last_error(t))
    expect.eq(t:eq(1, 1.2, "close", 0.5), true)
    expect.eq(t:assertTableEq({ 1, 2 }, { 1, 2.5 }, 1, "tables"), true)
  end)

  it("assertTableEq / assertTableNe compare plain values by value, as Torch7's older Tester did", function()
    local t = torch.Tester()
    expect.eq(t:assertTableEq(5, 5, "sizes"), true)
    expect.eq(t:assertTableEq(5, 6, "sizes"), false)
    expect.truthy(last_error(t):find("sizes\nEQ failed: 5 ~= 6", 1, true), last_error(t))
    expect.eq(t:assertTableNe(5, 6), true)
    expect.eq(t:assertTableEq({ 1 }, 1), false)
    expect.eq(t:assertTableEq({ 2, { 3 } }, { 2, { 3 } }), true)
  end)

  it("assertTensorEq / assertTensorNe use the max absolute difference", function()
    local t = torch.Tester()
    local a, b = torch.Tensor({ { 1, 2 }, { 3, 4 } }), torch.Tensor({ { 1, 2 }, { 3, 4.5 } })
    expect.eq(t:assertTensorEq(a, b, 0.5), true)
    expect.eq(t:assertTensorEq(a, b, 0.1), false)
    expect.truthy(last_error(t):find("TensorEQ(==) violation: max diff=0.5, tolerance=0.1", 1, true), last_error(t))
    expect.eq(t:assertTensorNe(a, b, 0.1), true)
    expect.eq(t:assertTensorNe(a, a), false)
    expect.truthy(last_error(t):find("TensorNE(==) violation: max diff=0, tolerance=0", 1, true), last_error(t))
    -- Torch7 keeps assertTensorEq lenient on dimensions, with a warning
    expect.eq(t:assertTensorEq(torch.Tensor({ 1, 2 }), torch.Tensor({ { 1, 2 } })), true)
    expect.truthy(t.warnings[#t.warnings]:find("same content but different dimensions", 1, true))
    expect.eq(t:assertTensorEq(torch.ByteTensor({ 1, 250 }), torch.ByteTensor({ 2, 250 }), 1), true)
  end)

  it("assertTensorEq compares non-contiguous views element by element", function()
    local t = torch.Tester()
    local m = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } })
    expect.eq(t:assertTensorEq(m:t(), m:clone():t(), 0), true, "transposed")
    expect.eq(t:assertTensorEq(m:narrow(2, 2, 2), torch.Tensor({ { 2, 3 }, { 5, 6 } }), 0), true, "narrowed")
    expect.eq(t:assertTensorEq(m:t(), torch.Tensor({ { 1, 4 }, { 2, 5 }, { 3, 7 } }), 0.5), false)
  end)

  it("has the boolean and comparison assertions", function()
    local t = torch.Tester()
    expect.eq(t:assert(true), true)
    expect.eq(t:assert(false, "bad"), false)
    expect.truthy(last_error(t):find("bad\nBOOL violation condition=false", 1, true))
    expect.eq(t:assertTrue(true), true)
    expect.eq(t:assertTrue(1), false)
    expect.eq(t:assertFalse(false), true)
    expect.eq(t:assertFalse(nil), false)
    expect.eq(t:assertlt(1, 2), true)
    expect.eq(t:assertlt(2, 2), false)
    expect.truthy(last_error(t):find("LT failed: 2 >= 2", 1, true))
    expect.eq(t:assertle(2, 2), true)
    expect.eq(t:assertgt(3, 2), true)
    expect.eq(t:assertge(1, 2), false)
    expect.truthy(last_error(t):find("GE failed: 1 < 2", 1, true))
    expect.eq(t:asserteq(3, 3), true)
    expect.eq(t:assertne(3, 3), false)
    expect.truthy(last_error(t):find("NE failed: 3 == 3", 1, true))
    expect.eq(t:assertalmosteq(1, 1 + 1e-9, 1e-6), true)
    expect.eq(t:assertalmosteq(1, 1.1), false)
    expect.error(function() t:assertlt(1, 2, "m", "extra") end, "Unexpected arguments passed to test function")
  end)

  it("checks errors", function()
    local t = torch.Tester()
    expect.eq(t:assertError(function() error("x") end), true)
    expect.eq(t:assertError(function() end), false)
    expect.truthy(last_error(t):find("ERROR violation: err=nil", 1, true))
    expect.eq(t:assertErrorMsg(function() error("exact", 0) end, "exact"), true)
    expect.eq(t:assertErrorMsg(function() error("other", 0) end, "exact"), false)
    expect.eq(t:assertErrorPattern(function() error("size 3 wrong") end, "size %d"), true)
    expect.eq(t:assertNoError(function() end), true)
    expect.eq(t:assertNoError(function() error("boom", 0) end), false)
    expect.truthy(last_error(t):find("ERROR violation: err=boom", 1, true))
  end)
end)

describe("torch.Tester:run", function()
  it("prints one line a test and the summary, and returns 0 when all pass", function()
    local suite = torch.TestSuite()
    function suite.testA() end
    local t = torch.Tester()
    function suite.testB() t:eq(1, 1); t:assert(true); t:assertlt(1, 2) end
    t:add(suite)
    local out, ok, res = capture_write(function() return t:run() end)
    expect.eq(ok, true, tostring(res))
    expect.eq(out,
      "Running 2 tests\n" ..
      head(1, 2, "testA") .. "[WAIT]\r" .. head(1, 2, "testA") .. "[PASS]\n" ..
      head(2, 2, "testB") .. "[WAIT]\r" .. head(2, 2, "testB") .. "[PASS]\n" ..
      "Completed 3 asserts in 2 tests with 0 failures and 0 errors\n")
    expect.eq(#head(1, 2, "testA"), 80 - 6, "the status column")
  end)

  it("reports failures and errors and raises so that scripts exit non-zero", function()
    local t = torch.Tester()
    t:add(function() t:eq(1, 2, "one is not two") end, "bad")
    t:add(function() error("exploded") end, "broken")
    t:add(function() t:eq(2, 2) end, "good")
    local out, ok, err = capture_write(function() t:run() end)
    expect.eq(ok, false)
    expect.truthy(tostring(err):find("An error was found while running tests!", 1, true), tostring(err))
    expect.truthy(out:find("\r" .. head(1, 3, "bad") .. "[FAIL]\n", 1, true), out)
    expect.truthy(out:find("\r" .. head(2, 3, "broken") .. "[ERROR]\n", 1, true), out)
    expect.truthy(out:find("\r" .. head(3, 3, "good") .. "[PASS]\n", 1, true), out)
    expect.truthy(out:find("Completed 2 asserts in 3 tests with 1 failure and 1 error\n" .. string.rep("-", 80) .. "\nbad\none is not two\nEQ failed: 1 ~= 2\n", 1, true), out)
    expect.truthy(out:find("broken\n Function call failed\n", 1, true), out)
    expect.truthy(out:find("exploded", 1, true))
  end)

  it("runs selected tests, skips disabled ones and calls set-up and tear-down", function()
    local t = torch.Tester()
    local calls = {}
    local suite = torch.TestSuite()
    function suite._setUp(name) calls[#calls + 1] = "up " .. name end
    function suite._tearDown(name) calls[#calls + 1] = "down " .. name end
    function suite.alpha() calls[#calls + 1] = "alpha" end
    function suite.beta() calls[#calls + 1] = "beta" end
    function suite.gamma() calls[#calls + 1] = "gamma" end
    t:add(suite)
    t:disable("beta")
    local out, ok = capture_write(function() t:run({ "alpha", "beta" }) end)
    expect.eq(ok, true)
    expect.same(calls, { "up alpha", "alpha", "down alpha" })
    expect.truthy(out:find(head(2, 2, "beta") .. "[SKIP]", 1, true), out)
    expect.truthy(out:find("Completed 0 asserts in 2 tests with 0 failures and 0 errors and 1 disabled\n", 1, true), out)
    calls = {}
    capture_write(function() t:run("gam") end)  -- names are Lua patterns
    expect.same(calls, { "up gamma", "gamma", "down gamma" })
    expect.error(function() t:run("nothing") end, "Couldn't find test 'nothing'")
  end)

  it("rejects duplicate names", function()
    local t = torch.Tester()
    t:add(function() end, "x")
    expect.error(function() t:add(function() end, "x") end, "Test with name x already exists!")
  end)
end)

describe("torch.test", function()
  it("explains where Torch7's test file goes when none is configured", function()
    if (os.getenv("TORCH_TEST_FILE") or "") ~= "" then return end  -- the real file is configured
    expect.error(function() torch.test() end, "set TORCH_TEST_FILE")
  end)

  local configured = (os.getenv("TORCH_TEST_FILE") or "") ~= ""

  it("loads torch/testsuite.lua from the module path and runs the torch.test it defines", function()
    if configured then return end  -- $TORCH_TEST_FILE takes precedence over the module path
    local dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir -p " .. dir .. "/torch")
    local f = assert(io.open(dir .. "/torch/testsuite.lua", "w"))
    f:write("function torch.test(names) return 'ran ' .. tostring(names and names[1]) end\n")
    f:close()
    local saved, oldPath = torch.test, package.path
    package.path = dir .. "/?.lua;" .. oldPath
    local ok, result = pcall(torch.test, { "dot" })
    package.path, torch.test = oldPath, saved
    os.execute("rm -rf " .. dir)
    expect.truthy(ok, tostring(result))
    expect.eq(result, "ran dot", "the file's torch.test ran with the caller's arguments")
  end)

  it("refuses a file that does not define torch.test", function()
    if configured then return end
    local dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir -p " .. dir .. "/torch")
    local f = assert(io.open(dir .. "/torch/testsuite.lua", "w"))
    f:write("local unused = 1\n")
    f:close()
    local oldPath = package.path
    package.path = dir .. "/?.lua;" .. oldPath
    local ok, err = pcall(torch.test)
    package.path = oldPath
    os.execute("rm -rf " .. dir)
    expect.eq(ok, false)
    expect.truthy(tostring(err):find("did not define torch.test", 1, true), tostring(err))
  end)
end)
