-- torch.Tester and torch.TestSuite, with Torch7's API and report format:
--   local tests = torch.TestSuite()
--   function tests.add() mytester:eq(1 + 1, 2) end
--   mytester = torch.Tester(); mytester:add(tests); mytester:run()
-- run() prints one "[PASS]/[FAIL]/[ERROR]" line a test, then "Completed N asserts in N tests
-- with N failures and N errors" and each failure between dashed lines; like Torch7 it
-- raises an error when anything failed, so a `th` script exits with status 1.
local torch = require "torch.env"

local type, error, tostring, pairs, ipairs, select, next, assert =
  type, error, tostring, pairs, ipairs, select, next, assert
local format, rep = string.format, string.rep
local unpack = unpack or table.unpack

local NCOLS = 80
local check = {}

------------------------------------------------------------------------- TestSuite

-- A table of test functions that refuses redefinitions and non-functions.
function torch.TestSuite()
  local obj = { __tests = {}, __isTestSuite = true }
  return setmetatable(obj, {
    __index = function(self, key) return self.__tests[key] end,
    __newindex = function(self, key, value)
      if self.__tests[key] ~= nil then error("Test " .. tostring(key) .. " is already defined.", 2) end
      if type(value) ~= "function" then
        if type(value) == "table" then error("Nested tables of tests are not supported", 2) end
        error("Only functions are supported as members of a TestSuite", 2)
      end
      self.__tests[key] = value
    end,
  })
end

------------------------------------------------------------------------- Tester

local Tester = torch.class("torch.Tester")

function Tester:__init()
  self.errors = {}
  self.tests = {}
  self.warnings = {}
  self._warningCount = {}
  self.disabledTests = {}
  self._currentTestName = ""
  -- Torch7 keeps assertTensorEq lenient about dimensions ({{1}} == {1}) for old code
  self._assertTensorEqIgnoresDims = true
end

function Tester:setEarlyAbort(v) self.earlyAbort = v end
function Tester:setRethrowErrors(v) self.rethrow = v end
function Tester:setSummaryOnly(v) self.summaryOnly = v end

-- counters are per test; assertions outside run() count under the name ''
local function bump(tbl, name)
  tbl[name] = (tbl[name] or 0) + 1
end

function Tester:_success()
  self.assertionPass = self.assertionPass or {}
  bump(self.assertionPass, self._currentTestName)
  return true
end

-- the message, preceded by the test name and followed by the two stack lines of the
-- assertion's caller (the frames just above the test runner's xpcall)
function Tester:_addDebugInfo(message)
  local tb = debug.traceback("tester", 3) or ""
  tb = tb:match(".-\n([^\n]+\n[^\n]+)\n[^\n]+xpcall") or ""
  local name = self._currentTestName
  return (name ~= "" and name .. "\n" or "") .. message .. "\n" .. tb
end

function Tester:_failure(message)
  if self.rethrow then error(message, 3) end
  self.assertionFail = self.assertionFail or {}
  bump(self.assertionFail, self._currentTestName)
  self.errors[#self.errors + 1] = self:_addDebugInfo(message)
  return false
end

function Tester:_warning(message)
  bump(self._warningCount, self._currentTestName)
  self.warnings[#self.warnings + 1] = self:_addDebugInfo(message)
end

function Tester:_assert_sub(condition, message)
  if condition then return self:_success() end
  return self:_failure(message)
end

local function getMessage(message, ...)
  assert(next({ ... }) == nil, "Unexpected arguments passed to test function")
  if message then
    assert(type(message) == "string", "message parameter must be a string")
    if message ~= "" then return message .. "\n" end
  end
  return ""
end

-- tolerance and message may come in either order
local function getToleranceAndMessage(default, ...)
  local message, tolerance
  for i = 1, select("#", ...) do
    local a = select(i, ...)
    if type(a) == "string" then
      if message then error("Unexpected string argument; already have message", 3) end
      message = a .. "\n"
    elseif type(a) == "number" then
      if tolerance then error("Unexpected number argument; already have tolerance", 3) end
      assert(a >= 0, "tolerance cannot be negative")
      tolerance = a
    elseif a ~= nil then
      error("Unrecognized argument; should be a tolerance or message", 3)
    end
  end
  return tolerance or default, message or ""
end

function Tester:assert(condition, ...)
  local message = getMessage(...)
  if type(condition) ~= "boolean" then
    self:_warning(" :assert should only be used for boolean conditions. "
      .. "To check for non-nil variables, do this explicitly: Tester:assert(var ~= nil).")
  end
  return self:_assert_sub(condition, format("%sBOOL violation condition=%s", message, tostring(condition)))
end

function Tester:assertTrue(condition, ...)
  local message = getMessage(...)
  return self:_assert_sub(condition == true,
    format("%sTRUE violation condition=%s", message, tostring(condition)))
end

function Tester:assertFalse(condition, ...)
  local message = getMessage(...)
  return self:_assert_sub(condition == false,
    format("%sFALSE violation condition=%s", message, tostring(condition)))
end

function Tester:_eqOrNeq(got, expected, negate, ...)
  local tolerance, message = getToleranceAndMessage(0, ...)
  local ok, sub = check.areEq(got, expected, tolerance, negate)
  return self:_assert_sub(ok, message .. (sub or ""))
end

function Tester:assertGeneralEq(got, expected, ...) return self:_eqOrNeq(got, expected, false, ...) end
function Tester:assertGeneralNe(got, unexpected, ...) return self:_eqOrNeq(got, unexpected, true, ...) end
Tester.eq = Tester.assertGeneralEq
Tester.ne = Tester.assertGeneralNe
Tester.assertEq = Tester.assertGeneralEq
Tester.assertNe = Tester.assertGeneralNe

local function comparison(name, op, test, opposite)
  Tester[name] = function(self, a, b, ...)
    local message = getMessage(...)
    return self:_assert_sub(test(a, b),
      format("%s%s failed: %s %s %s", message, op, tostring(a), opposite, tostring(b)))
  end
end
comparison("assertlt", "LT", function(a, b) return a < b end, ">=")
comparison("assertgt", "GT", function(a, b) return a > b end, "<=")
comparison("assertle", "LE", function(a, b) return a <= b end, ">")
comparison("assertge", "GE", function(a, b) return a >= b end, "<")
comparison("asserteq", "EQ", function(a, b) return a == b end, "~=")

function Tester:assertne(a, b, ...)
  local message = getMessage(...)
  if type(a) == type(b) and type(a) == "table" or type(a) == "userdata" then
    self:_warning(" :assertne should only be used to compare basic lua objects (numbers, "
      .. "booleans, etc). Consider using either :assertGeneralNe or :assert(a ~= b).")
  end
  return self:_assert_sub(a ~= b, format("%sNE failed: %s == %s", message, tostring(a), tostring(b)))
end

function Tester:assertalmosteq(a, b, ...)
  local tolerance, message = getToleranceAndMessage(1e-16, ...)
  return self:_assert_sub(math.abs(a - b) <= tolerance,
    format("%sALMOST_EQ failed: %s ~= %s with tolerance=%s", message, tostring(a), tostring(b),
      tostring(tolerance)))
end

function Tester:_assertTensorEqOrNeq(ta, tb, negate, ...)
  assert(torch.isTensor(ta), "First argument should be a Tensor")
  assert(torch.isTensor(tb), "Second argument should be a Tensor")
  local tolerance, message = getToleranceAndMessage(0, ...)
  local ok, sub = check.areTensorsEq(ta, tb, tolerance, negate, self._assertTensorEqIgnoresDims)
  if self._assertTensorEqIgnoresDims and not negate and ok and not ta:isSameSizeAs(tb) then
    self:_warning("Tensors have the same content but different dimensions. For backwards "
      .. "compatibility, they are considered equal, but this may change in the future. "
      .. "Consider using :eq to check for equality instead.")
  end
  return self:_assert_sub(ok, message .. (sub or ""))
end

function Tester:assertTensorEq(ta, tb, ...) return self:_assertTensorEqOrNeq(ta, tb, false, ...) end
function Tester:assertTensorNe(ta, tb, ...) return self:_assertTensorEqOrNeq(ta, tb, true, ...) end

-- Torch7's newer Tester rejects non-table arguments here; its older one compared them by
-- value, and test files of that time (nn's View and Reshape tests) pass sizes as numbers.
-- Comparing by value keeps those running and changes nothing for tables.
function Tester:_assertTableEqOrNeq(ta, tb, negate, ...)
  return self:_eqOrNeq(ta, tb, negate, ...)
end

function Tester:assertTableEq(ta, tb, ...) return self:_assertTableEqOrNeq(ta, tb, false, ...) end
function Tester:assertTableNe(ta, tb, ...) return self:_assertTableEqOrNeq(ta, tb, true, ...) end

function Tester:assertErrorObj(f, errcomp, ...)
  local message = getMessage(...)
  local ok, err = pcall(f)
  return self:_assert_sub(not ok and errcomp(err),
    format("%sERROR violation: err=%s", message, tostring(err)))
end

function Tester:assertError(f, ...)
  return self:assertErrorObj(f, function() return true end, ...)
end

function Tester:assertErrorMsg(f, errmsg, ...)
  return self:assertErrorObj(f, function(err) return err == errmsg end, ...)
end

function Tester:assertErrorPattern(f, pattern, ...)
  return self:assertErrorObj(f, function(err) return string.find(tostring(err), pattern) ~= nil end, ...)
end

function Tester:assertNoError(f, ...)
  local message = getMessage(...)
  local ok, err = pcall(f)
  return self:_assert_sub(ok, format("%sERROR violation: err=%s", message, tostring(err)))
end

-- add(function, name) | add(TestSuite) | add(table of functions); _setUp/_tearDown
-- are called with the test name around each test.
function Tester:add(f, name)
  if type(f) == "table" then
    assert(name == nil, "Name parameter is forbidden for a table of tests, since its use is ambiguous")
    if f.__isTestSuite then
      f = f.__tests
    else
      self:_warning("Should use TestSuite rather than plain lua table")
    end
    for k, v in pairs(f) do
      assert(type(v) ~= "table", "Nested sets of tests are not supported")
      self:add(v, k)
    end
    return self
  end
  assert(type(f) == "function", "Only tables of functions and functions supported")
  if name == "_setUp" then
    assert(not self._setUp, "Only one set-up function allowed")
    self._setUp = f
  elseif name == "_tearDown" then
    assert(not self._tearDown, "Only one tear-down function allowed")
    self._tearDown = f
  else
    name = name or "unknown"
    if self.tests[name] ~= nil then error("Test with name " .. name .. " already exists!", 2) end
    self.tests[name] = f
  end
  return self
end

function Tester:disable(names)
  if type(names) == "string" then names = { names } end
  assert(type(names) == "table", "Expecting name or list for disable")
  for _, name in ipairs(names) do
    assert(self.tests[name], "Unrecognized test '" .. name .. "'")
    self.disabledTests[name] = true
  end
  return self
end

-- names (or Lua patterns) -> {name = fn}
function Tester:_getTests(names)
  if names == nil then return self.tests end
  if type(names) == "string" then names = { names } end
  assert(type(names) == "table", "Only accept a name or table of test names (or nil for all tests)")
  local tests = {}
  for _, pattern in ipairs(names) do
    local found = false
    for name, fn in pairs(self.tests) do
      if string.match(name, pattern) then tests[name] = fn; found = true end
    end
    assert(found, "Couldn't find test '" .. pattern .. "'")
  end
  return tests
end

local function pluralize(n, word)
  return n .. " " .. word .. (n == 1 and "" or "s")
end

-- sorted names, so that runs print in a stable order (Torch7 used pairs order)
local function sorted_names(tests)
  local names = {}
  for name in pairs(tests) do names[#names + 1] = name end
  table.sort(names, function(a, b) return tostring(a) < tostring(b) end)
  return names
end

function Tester:_pcall(f)
  local nerr = #self.errors
  local ok, result = xpcall(f, debug.traceback)
  if not ok then
    self.errors[#self.errors + 1] = self._currentTestName .. "\n Function call failed\n" .. tostring(result) .. "\n"
  end
  return ok, result, ok and nerr == #self.errors
end

function Tester:_run(tests)
  local names = sorted_names(tests)
  local ntests = #names
  local count = tostring(ntests)
  local counter_fmt = "%" .. #count .. "u/" .. count .. " "
  local counter_len = #count * 2 + 2
  local write, flush = io.write, io.flush

  write("Running " .. pluralize(ntests, "test") .. "\n")
  for i, name in ipairs(names) do
    local fn = tests[name]
    self._currentTestName = name
    local head = format(counter_fmt, i) .. name .. " "
      .. rep(".", NCOLS - 6 - 2 - counter_len - #tostring(name)) .. " "
    write(head .. "[WAIT]")
    flush()

    local status, pass, skip = nil, nil, self.disabledTests[name]
    if not skip then
      if self._setUp then self._setUp(name) end
      if self.rethrow then
        local nerr = #self.errors
        fn()
        status, pass = true, nerr == #self.errors
      else
        local _
        status, _, pass = self:_pcall(fn)
      end
      if self._tearDown then self._tearDown(name) end
    end

    write("\r" .. head)
    if skip then
      write("[SKIP]")
    elseif not status then
      self.testError[name] = 1
      write("[ERROR]")
    elseif not pass then
      write("[FAIL]")
    else
      write("[PASS]")
      if self._warningCount[name] > 0 then write("\n" .. rep(" ", NCOLS - 10) .. "[+warning]") end
    end
    write("\n")
    flush()

    if self.earlyAbort and i < ntests and (not status or not pass) and not skip then
      write("Aborting on first error, not all tests have been executed\n")
      break
    end
    collectgarbage()
  end
end

function Tester:_report(tests)
  local ntests, nfailures, nerrors, nskipped, nwarnings = 0, 0, 0, 0, 0
  self.countasserts = 0
  for name in pairs(tests) do
    ntests = ntests + 1
    self.countasserts = self.countasserts + self.assertionFail[name] + self.assertionPass[name]
    if self.assertionFail[name] > 0 then nfailures = nfailures + 1 end
    if self.testError[name] > 0 then nerrors = nerrors + 1 end
    if self._warningCount[name] > 0 then nwarnings = nwarnings + 1 end
    if self.disabledTests[name] then nskipped = nskipped + 1 end
  end
  nwarnings = nwarnings + (self._warningCount[""] or 0)

  local write = io.write
  write("Completed " .. pluralize(self.countasserts, "assert"))
  write(" in " .. pluralize(ntests, "test") .. " with ")
  write(pluralize(nfailures, "failure") .. " and " .. pluralize(nerrors, "error"))
  if nwarnings > 0 then write(" and " .. pluralize(nwarnings, "warning")) end
  if nskipped > 0 then write(" and " .. nskipped .. " disabled") end
  write("\n")

  if not self.summaryOnly then
    local dashes = rep("-", NCOLS) .. "\n"
    local started = false
    local function section(text)
      if not started then write(dashes); started = true end
      write(text .. "\n" .. dashes)
    end
    for _, v in ipairs(self.errors) do section(v) end
    for _, v in ipairs(self.warnings) do section(v) end
  end
  self.nfailures, self.nerrors = nfailures, nerrors
end

-- Runs all tests, or those named (names or Lua patterns). Returns 0 when everything
-- passed; otherwise raises "An error was found while running tests!" as Torch7 does.
function Tester:run(names)
  local tests = self:_getTests(names)
  self.assertionPass, self.assertionFail, self.testError = {}, {}, {}
  for name in pairs(tests) do
    self.assertionPass[name], self.assertionFail[name], self.testError[name] = 0, 0, 0
    self._warningCount[name] = 0
  end
  self:_run(tests)
  self:_report(tests)
  for name in pairs(tests) do
    if self.assertionFail[name] ~= 0 or self.testError[name] ~= 0 then
      error("An error was found while running tests!", 2)
    end
  end
  return 0
end

------------------------------------------------------------------------- comparisons

-- max |ta - tb| <= tolerance, for tensors of one type and size (storage: the message
-- names storages)
function check.areSameFormatTensorsEq(ta, tb, tolerance, negate, storage)
  local err = 0
  if ta:nElement() > 0 then
    -- both as contiguous doubles in ta's shape, so views (t(), narrow) compare too
    local a = ta:double():clone()
    err = a:add(-1, tb:double():contiguous():viewAs(a)):abs():max()
  end
  local ok = err <= tolerance
  if negate then ok = not ok end
  if ok then return true end
  return false, format("%s%s violation: max diff=%s, tolerance=%s", storage and "Storage" or "Tensor",
    negate and "NE(==)" or "EQ(==)", tostring(err), tostring(tolerance))
end

function check.areTensorsEq(ta, tb, tolerance, negate, ignoreDims)
  if not ignoreDims and ta:dim() ~= tb:dim() then return negate, "The tensors have different dimensions" end
  if ta:type() ~= tb:type() then return negate, "The tensors have different types" end
  if ta:dim() == 0 and tb:dim() == 0 then return not negate, "Both tensors are empty" end
  local same
  if ignoreDims then same = ta:nElement() == tb:nElement() else same = ta:isSameSizeAs(tb) end
  if not same then return negate, "The tensors have different sizes" end
  return check.areSameFormatTensorsEq(ta, tb, tolerance, negate, false)
end

function check.areStoragesEq(sa, sb, tolerance, negate)
  if sa:size() ~= sb:size() then return negate, "The storages have different sizes" end
  local ta, tb = torch.type(sa), torch.type(sb)
  if ta ~= tb then return negate, "The storages have different types" end
  local ctor = torch.getconstructortable(ta:gsub("Storage$", "Tensor"))
  return check.areSameFormatTensorsEq(ctor(sa), ctor(sb), tolerance, negate, true)
end

-- Deep equality: same types; numbers within tolerance; tensors and storages by max
-- element difference; tables key by key (breadth first, so the shallowest difference is
-- reported); anything else with ==.
function check.areEq(got, expected, tolerance, negate)
  local tg = type(got)
  if tg ~= type(expected) then
    if negate then return true end
    return false, "EQ failed: values have different types (first: " .. tg .. ", second: " .. type(expected) .. ")"
  end
  if tg == "number" then
    local ok = math.abs(got - expected) <= tolerance
    if negate then ok = not ok end
    if ok then return true end
    local msg = negate and format("NE failed: %s == %s", tostring(got), tostring(expected))
      or format("EQ failed: %s ~= %s", tostring(got), tostring(expected))
    if tolerance > 0 then msg = msg .. " with tolerance=" .. tostring(tolerance) end
    return false, msg
  end
  if tg == "table" then return check.areTablesEq(got, expected, tolerance, negate) end
  if torch.isTensor(got) then return check.areTensorsEq(got, expected, tolerance, negate) end
  if torch.isStorage(got) then return check.areStoragesEq(got, expected, tolerance, negate) end
  local ok = got == expected
  if negate then ok = not ok end
  if ok then return true end
  return false, format("%s failed: %s (%s) %s %s (%s)", negate and "NE" or "EQ", tostring(got), tg,
    negate and "==" or "~=", tostring(expected), type(expected))
end

function check.areTablesEq(t1, t2, tolerance, negate)
  local queue, head = { { t1, t2 } }, 1
  while queue[head] do
    local a, b, location = unpack(queue[head])
    head = head + 1
    local function sub(key)
      return location and (location .. "." .. tostring(key)) or tostring(key)
    end
    for key, v1 in pairs(a) do
      local v2 = b[key]
      if v2 == nil then
        return negate, format("Entry %s missing in second table (is %s in first)", sub(key), tostring(v1))
      end
      if type(v1) == "table" and type(v2) == "table" then
        queue[#queue + 1] = { v1, v2, sub(key) }
      else
        local ok, msg = check.areEq(v1, v2, tolerance, false)
        if not ok then return negate, "At table location " .. sub(key) .. ": " .. msg end
      end
    end
    for key, v2 in pairs(b) do
      if a[key] == nil then
        return negate, format("Entry %s missing in first table (is %s in second)", sub(key), tostring(v2))
      end
    end
  end
  return not negate, "The tables are equal"
end

Tester._check = check
return Tester
