-- A small busted-style spec runner: `luajit spec/runner.lua spec/foo_spec.lua ...`.
-- Specs use describe/it and the `expect` helpers below; a failing spec exits non-zero,
-- and the last line is "N passed, N failed" so pytest and CI can read the count.
local runner = {}
local results = { passed = 0, failed = 0, failures = {} }
local prefix = {}

local function fmt(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

local function fail(msg, level)
  error(msg, (level or 1) + 2)
end

local expect = {}

function expect.eq(actual, expected, what)
  if actual ~= expected then
    fail(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", fmt(expected), fmt(actual)))
  end
end

function expect.truthy(v, what)
  if not v then fail((what or "value") .. " is not truthy: " .. fmt(v)) end
end

-- |a - b| <= tol * max(1, |b|): relative for large numbers, absolute near zero
function expect.near(actual, expected, tol, what)
  tol = tol or 1e-12
  if type(actual) ~= "number" then fail((what or "value") .. " is not a number: " .. fmt(actual)) end
  local scale = math.max(1, math.abs(expected))
  if not (math.abs(actual - expected) <= tol * scale) then
    fail(string.format("%sexpected %.17g, got %.17g (tol %g)", what and (what .. ": ") or "",
      expected, actual, tol))
  end
end

-- deep equality of plain tables (arrays and maps) and scalars
local function deep_equal(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
expect.deep_equal_values = deep_equal

function expect.same(actual, expected, what)
  if not deep_equal(actual, expected) then
    local function show(t)
      if type(t) ~= "table" then return fmt(t) end
      local parts = {}
      for k, v in pairs(t) do parts[#parts + 1] = tostring(k) .. "=" .. show(v) end
      table.sort(parts)
      return "{" .. table.concat(parts, ", ") .. "}"
    end
    fail(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", show(expected), show(actual)))
  end
end

-- fn must raise an error whose message contains `needle` (plain text, not a pattern)
function expect.error(fn, needle)
  local ok, err = pcall(fn)
  if ok then fail("expected an error containing " .. fmt(needle) .. ", but none was raised") end
  err = tostring(err)
  if needle and not err:find(needle, 1, true) then
    fail("expected an error containing " .. fmt(needle) .. ", got " .. fmt(err))
  end
  return err
end

function runner.describe(name, fn)
  prefix[#prefix + 1] = name
  fn()
  prefix[#prefix] = nil
end

function runner.it(name, fn)
  local full = table.concat(prefix, " ") .. " " .. name
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    results.passed = results.passed + 1
  else
    results.failed = results.failed + 1
    results.failures[#results.failures + 1] = full .. "\n    " .. tostring(err):gsub("\n", "\n    ")
    io.stdout:write("FAIL ", full, "\n")
  end
end

runner.expect = expect

local function main(files)
  _G.describe, _G.it, _G.expect = runner.describe, runner.it, expect
  for _, path in ipairs(files) do
    local chunk, err = loadfile(path)
    if not chunk then
      results.failed = results.failed + 1
      results.failures[#results.failures + 1] = path .. ": " .. err
    else
      local ok, lerr = xpcall(chunk, debug.traceback)
      if not ok then
        results.failed = results.failed + 1
        results.failures[#results.failures + 1] = path .. " (top level): " .. tostring(lerr)
      end
    end
  end
  for _, f in ipairs(results.failures) do io.stdout:write("\n", f, "\n") end
  io.stdout:write(string.format("%d passed, %d failed\n", results.passed, results.failed))
  os.exit((results.failed == 0 and results.passed > 0) and 0 or 1)
end

if arg and arg[0] and arg[0]:match("runner%.lua$") then
  main({ select(1, ...) })
end

return runner
