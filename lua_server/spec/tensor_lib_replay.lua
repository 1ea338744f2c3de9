-- Replays cases written by real Torch7 (tests/fixtures/torch7/tensor_lib/*.t7, see the
-- README in /work/shared/fixtures/torch7/tensor_lib): each case's recorded inputs are
-- copied (own storage, same size/stride/offset), its `call` text runs with them as
-- globals, then its `post` text, and every recorded output is compared: type, size,
-- stride, offset, contiguity, object identity, storage sharing, values, error text.
local R = {}

local function copy_storage(s)
  local copy = torch.getconstructortable(torch.typename(s))(s:size())
  copy:copy(s)
  return copy
end

-- a tensor of t's layout on `storage`
local function on_storage(t, storage)
  if t:nElement() == 0 then return t.new() end
  return t.new():set(storage, t:storageOffset(), t:size(), t:stride())
end

local function copy_value(v)
  if torch.isTensor(v) then
    if v:nElement() == 0 or not v:storage() then return v.new() end
    return on_storage(v, copy_storage(v:storage()))
  end
  if type(v) == "table" then
    local t = {}
    for k, x in pairs(v) do t[k] = copy_value(x) end
    return t
  end
  return v
end

-- The harness copied each input separately, so `res = buf:narrow(...)` lost its link to
-- buf: put such views back on buf's storage (they are what the call writes through).
function R.inputs(case)
  local env = {}
  for name, v in pairs(case.inputs or {}) do env[name] = copy_value(v) end
  for view, base in (case.setup or ""):gmatch("(%w+)%s*=%s*(buf%w*):") do
    if torch.isTensor(env[view]) and torch.isTensor(env[base]) then
      env[view] = on_storage(case.inputs[view], env[base]:storage())
    end
  end
  return env
end

-- ===== helpers the fixtures' `post` code uses (the README describes them; ours) =====
local helpers = {}

-- each column times the sign of its largest-|.| entry (the first of ties)
local function column_sign(col)
  local best, sign = -1, 1
  for i = 1, col:size(1) do
    local v = col[i]
    if math.abs(v) > best then best, sign = math.abs(v), (v < 0 and -1 or 1) end
  end
  return sign
end

function helpers.signfix(m)
  local r = m:clone()
  for j = 1, r:size(2) do
    if column_sign(r:select(2, j)) < 0 then r:select(2, j):mul(-1) end
  end
  return r
end

function helpers.signfix2(u, v, k)
  local u2, v2 = u:clone(), v:clone()
  k = k or math.min(u:size(2), v:size(2))
  for j = 1, k do
    if column_sign(u2:select(2, j)) < 0 then
      u2:select(2, j):mul(-1)
      v2:select(2, j):mul(-1)
    end
  end
  return u2, v2
end

-- max |A x - lambda x| over eigenpairs; a complex pair j, j+1 is x = v_j + i v_(j+1)
function helpers.eig_residual(a, e, v)
  local n, worst, j = a:size(1), 0, 1
  while j <= n do
    local re, im = e[j][1], e[j][2]
    local x = v:select(2, j)
    if im == 0 then
      worst = math.max(worst, (a * x - x * re):abs():max())
      j = j + 1
    else
      local y = v:select(2, j + 1)
      worst = math.max(worst, (a * x - (x * re - y * im)):abs():max(),
        (a * y - (x * im + y * re)):abs():max())
      j = j + 2
    end
  end
  return worst
end

function R.run(case, env)
  setmetatable(env, { __index = function(_, k)
    if helpers[k] then return helpers[k] end
    return _G[k]
  end })
  local fn = assert(loadstring(case.call, "call"))
  setfenv(fn, env)
  local ok, err = pcall(fn)
  if ok and case.post then
    local post = assert(loadstring(case.post, "post"))
    setfenv(post, env)
    post()
  end
  return ok, err
end

-- ===== comparison =====

-- Torch7's messages carry C source locations and cwrap's '?' for the function name.
local function normalise_error(msg)
  msg = tostring(msg):match("^[^\n]*")
  msg = msg:gsub("^[%w_./%[%]\" ]-:%d+: ", "")
  msg = msg:gsub(" at [%w_./]+:%d+", "")
  msg = msg:gsub("to '[^']*'", "to '?'")
  return msg
end
R.normalise_error = normalise_error

local function max_abs_diff(a, b)
  return (a:double() - b:double()):abs():max()
end

local function scale_of(t)
  if t:nElement() == 0 then return 1 end
  return math.max(1, torch.abs(t:double()):max())
end

local function fmt_list(t)
  local parts = {}
  for i = 1, #t do parts[i] = tostring(t[i]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function layout_check(case, name, got)
  if got:nElement() == 0 then
    expect.eq(#case.sizes[name], 0, name .. " is empty")
    return
  end
  expect.eq(fmt_list(got:size():totable()), fmt_list(case.sizes[name]), name .. " size")
  expect.eq(fmt_list(got:stride():totable()), fmt_list(case.strides[name]), name .. " stride")
  expect.eq(got:storageOffset(), case.offsets[name], name .. " storageOffset")
  expect.eq(got:isContiguous(), case.contiguous[name], name .. " isContiguous")
end

-- values equal up to the sign of each of the first `ncols` columns
local function same_up_to_column_signs(name, got, want, tol, ncols)
  for j = 1, ncols do
    local g, w = got:select(2, j), want:select(2, j)
    local d = math.min(max_abs_diff(g, w), max_abs_diff(g, -w))
    if d > tol * scale_of(want) then
      error(string.format("%s column %d differs beyond sign by %g", name, j, d), 0)
    end
  end
end

--- compare(case, env, ok, err, opts): opts.tol; opts.skip_values[name] (layout only);
-- opts.sign_columns[name] = k (first k columns, each up to sign); opts.raw_column_major[name]
-- = n (compare the n x n column-major matrix at the tensor's data pointer instead);
-- opts.residuals[name] (a number that only needs to be as small as Torch7's)
function R.compare(case, env, ok, err, opts)
  opts = opts or {}
  if case.error then
    expect.truthy(not ok, "the call should fail with: " .. case.error)
    expect.eq(normalise_error(err), normalise_error(case.error), "error")
    return
  end
  if not ok then error("call failed: " .. tostring(err), 0) end
  for name, ty in pairs(case.types) do
    local got, want = env[name], case.outputs[name]
    expect.eq(torch.type(got), ty, name .. " type")
    if torch.isTensor(want) then
      layout_check(case, name, got)
      local tol = opts.tol or 1e-10
      if opts.skip_values and opts.skip_values[name] then
        -- layout only (LAPACK leftovers)
      elseif opts.sign_columns and opts.sign_columns[name] then
        local raw = opts.raw_column_major and opts.raw_column_major[name]
        if raw then
          local function data_matrix(t)
            return t.new():set(t:storage(), t:storageOffset(), torch.LongStorage({ raw, raw }),
              torch.LongStorage({ 1, raw }))
          end
          same_up_to_column_signs(name, data_matrix(got), data_matrix(want), tol, raw)
        else
          same_up_to_column_signs(name, got, want, tol, opts.sign_columns[name])
        end
      elseif want:nElement() > 0 then
        local d = max_abs_diff(got, want)
        if d > tol * scale_of(want) then
          error(string.format("%s differs from Torch7 by %g\ngot %s\nwant %s", name, d, tostring(got), tostring(want)), 0)
        end
      end
      for _, other in ipairs(case.same_object[name] or {}) do
        expect.truthy(rawequal(got, env[other]), name .. " is the same object as " .. other)
      end
      for _, other in ipairs(case.shares_storage[name] or {}) do
        expect.truthy(torch.pointer(got:storage()) == torch.pointer(env[other]:storage()),
          name .. " shares its storage with " .. other)
      end
      if case.storage_sizes and case.storage_sizes[name] and got:storage() then
        expect.eq(got:storage():size(), case.storage_sizes[name], name .. " storage size")
      end
    elseif type(want) == "number" then
      local residual = opts.residuals and opts.residuals[name]
      if residual and want < 1e-8 then
        expect.truthy(got < 1e-8, name .. " residual " .. tostring(got) .. " is small")
      else
        expect.near(got, want, opts.tol or 1e-10, name)
      end
    elseif type(want) == "table" then
      expect.same(got, want, name)
    else
      expect.eq(got, want, name)
    end
  end
end

return R
