-- The system LuaJIT (2.1, GC64, before upstream issue #864's fix) misrecords a `...` that is
-- adjusted to a fixed number of values (`local a, b = ...`, `f((...))`, `..., x`) when the
-- trace starts inside the vararg function (a loop there, a side trace, a stitch): every
-- value comes from the slot after the right one. nn.MultiMarginCriterion failed about 1 run
-- in 10 this way, when aten's call path handed multi_margin_loss_backward its `p` as the
-- target. The runtime therefore reads varargs only through select() or as a whole list.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local aten = require "aten"

-- Runs `body` with the JIT recording a trace on its first loop iteration, then restores
-- LuaJIT's default threshold.
local function with_eager_jit(body)
  jit.opt.start("hotloop=1")
  local ok, err = pcall(body)
  jit.opt.start("hotloop=56")
  if not ok then error(err, 0) end
end

describe("varargs inside JIT traces", function()
  it("select() reads the right vararg in a trace that starts inside the vararg function", function()
    local function first_and_third(...)
      local a, c
      for _ = 1, 4 do a, c = (select(1, ...)), (select(3, ...)) end
      return a, c
    end
    -- neighbours of the same type, so that a slot-off read passes LuaJIT's type guards
    -- (`local a, _, c = ...` in this loop gets all 20 wrong on the affected LuaJIT)
    with_eager_jit(function()
      for i = 1, 20 do
        local a, c = first_and_third(i, i + 100, -i, i + 200)
        expect.eq(a, i, "first vararg")
        expect.eq(c, -i, "third vararg")
      end
    end)
  end)

  it("aten.call hands every argument to its slot on a hot path with varying arities", function()
    local ones = aten.call("ones", { 3 })
    local function sum(h) return aten.call("item", aten.call("sum", h)) end
    with_eager_jit(function()
      for i = 1, 60 do
        expect.eq(sum(aten.call("add.Scalar", ones, i, 2)), 3 * (1 + 2 * i), "add.Scalar")
        expect.eq(sum(aten.call("addcmul", ones, ones, ones, i)), 3 * (1 + i), "addcmul")
        -- seven arguments: the ones past the sixth go through select()
        local loss = aten.call("item", aten.call("multi_margin_loss",
          aten.call("unsqueeze", aten.call("arange.start", 0, 3, aten.dtype.float64), 0),
          aten.call("zeros", { 1 }, aten.dtype.int64), 1, i, nil, 2))
        expect.near(loss, ((i + 1) + (i + 2)) / 3, 1e-12, "multi_margin_loss margin " .. i)
      end
    end)
    expect.error(function() aten.call("neg", ones, ones) end, "neg takes 1 arguments, got 2")
  end)

  -- Blank out comments and strings (keeping their newlines) so that only code is scanned.
  local function code_only(src)
    local function blank(m) return (m:gsub("[^\n]", " ")) end
    src = src:gsub("(%-%-%[(=*)%[.-%]%2%])", blank)
    src = src:gsub("(%[(=*)%[.-%]%2%])", blank)
    src = src:gsub("\\.", blank)
    src = src:gsub('"[^"\n]*"', blank):gsub("'[^'\n]*'", blank)
    return (src:gsub("%-%-[^\n]*", blank))
  end

  -- `...` used as one value (truncated or padded) rather than passed on whole
  local function fixed_count_uses(path, label)
    local f = assert(io.open(path))
    local src = code_only(f:read("*a"))
    f:close()
    local found = {}
    local pos = 1
    while true do
      local s, e = src:find("%.%.%.", pos)
      if not s then break end
      pos = e + 1
      local before = src:sub(math.max(1, s - 300), s - 1):match("^(.-)%s*$")  -- enough context
      local prev = before:sub(-1)
      local next_char = src:match("^%s*(%S)", e + 1) or ""
      local call_paren = prev == "(" and before:sub(1, -2):match("[%w_%]%)\"']%s*$")
      -- `return a, ...` passes the whole list (an `=` after the return would compare one value)
      local in_return = before:match("[^\n]*$"):match("%f[%w_]return%f[^%w_][^=]*$")
        and next_char ~= ","
      local passed_whole = in_return or ((prev == "," or prev == "{" or call_paren)
        and (next_char == ")" or next_char == "}"))
      if not passed_whole and prev ~= "." then
        local line = select(2, src:sub(1, s):gsub("\n", "")) + 1
        found[#found + 1] = label .. ":" .. line
      end
    end
    return found
  end

  it("runtime code never adjusts `...` to a fixed count", function()
    local bad = {}
    dofile(here .. "lua_server/spec/runtime_sources.lua").each(here, function(path, label)
      for _, where in ipairs(fixed_count_uses(path, label)) do bad[#bad + 1] = where end
    end)
    table.sort(bad)
    expect.eq(table.concat(bad, ", "), "", "fixed-count `...` (use select(i, ...))")
  end)

  it("the scanner flags each fixed-count form and passes whole-list forms", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write([[
local function g(a, ...) return f(a, ...), { ... }, select(2, ...), h(...) end
local function g2(...) local a, b = ...
  local c = (...) -- a comment: local d = ...
  return x, ..., "..."
end
local function g3(...) if x then return y, ... end return ... end
]])
    f:close()
    local found = fixed_count_uses(path, "sample")
    os.remove(path)
    local lines = {}
    for i, where in ipairs(found) do lines[i] = where:match(":(%d+)$") end
    expect.eq(table.concat(lines, ","), "2,3,4", "flagged lines")
  end)
end)
