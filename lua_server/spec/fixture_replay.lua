-- Replays the Torch7 tensor-library reference cases (tests/fixtures/torch7/tensor_lib,
-- written by real Torch7; see its README): run the case's setup, put the recorded inputs
-- in place, run the call, and compare every output, layout and error with Torch7's.
local ffi = require "ffi"

local M = {}
M.DIR = "tests/fixtures/torch7/tensor_lib/"

local function is_nan(x) return type(x) == "number" and x ~= x end

local function num_equal(a, b)
  return a == b or (is_nan(a) and is_nan(b))
end

-- the message text without chunk prefixes ("call:1: ", "file.lua:12: ") and TH's location
local function normalize(msg)
  msg = tostring(msg)
  repeat
    local before = msg
    msg = msg:gsub("^[%w%._/%[%]\" -]-:%d+: ", "")
  until msg == before
  msg = msg:gsub(" at [%w%._/]+:%d+", "")
  -- luaL_argerror names the C function or '?': the argument number and text are the message
  msg = msg:gsub("^(bad argument #%d+ to )'[^']*'", "%1'?'")
  return (msg:gsub("%s+$", ""))
end
M.normalize = normalize

local function elements_of(t)
  -- Long elements may exceed 2^53: compare them as int64
  if torch.type(t) == "torch.LongTensor" then
    local c = t:contiguous()
    local p, out = ffi.cast("int64_t*", c:data()), {}
    for i = 0, c:nElement() - 1 do out[i + 1] = p[i] end
    return out
  end
  local out = {}
  if t:nElement() == 0 then return out end
  local flat = t:contiguous():view(t:nElement())
  for i = 1, flat:nElement() do out[i] = flat[i] end
  return out
end

local function same_list(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

local function describe_value(v)
  if torch.isTensor(v) then
    return torch.type(v) .. "[" .. table.concat(v:size():totable(), "x") .. "] {" ..
      table.concat((function() local o = {} for i, x in ipairs(elements_of(v)) do if i > 12 then o[#o + 1] = "..." break end o[#o + 1] = tostring(x) end return o end)(), ", ") .. "}"
  end
  return tostring(v)
end

local function compare_value(got, want, path, problems)
  if torch.isTensor(want) then
    if not torch.isTensor(got) then
      problems[#problems + 1] = path .. ": expected a tensor, got " .. type(got)
      return
    end
    local a, b = elements_of(got), elements_of(want)
    local ok = #a == #b
    for i = 1, #a do if ok and not num_equal(a[i], b[i]) then ok = false end end
    if not ok then
      problems[#problems + 1] = path .. ": values " .. describe_value(got) .. ", Torch7 " .. describe_value(want)
    end
  elseif torch.isStorage(want) then
    if not torch.isStorage(got) then
      problems[#problems + 1] = path .. ": expected a storage, got " .. torch.type(got)
      return
    end
    local a, b = got:totable(), want:totable()
    local ok = #a == #b
    for i = 1, #a do if ok and not num_equal(a[i], b[i]) then ok = false end end
    if not ok then problems[#problems + 1] = path .. ": storage values differ" end
  elseif type(want) == "table" then
    if type(got) ~= "table" then
      problems[#problems + 1] = path .. ": expected a table, got " .. type(got)
      return
    end
    for k, v in pairs(want) do compare_value(got[k], v, path .. "." .. tostring(k), problems) end
    for k in pairs(got) do
      if want[k] == nil then problems[#problems + 1] = path .. "." .. tostring(k) .. ": not in Torch7's result" end
    end
  elseif not num_equal(got, want) then
    problems[#problems + 1] = path .. ": " .. tostring(got) .. ", Torch7 " .. tostring(want)
  end
end

local function input_value(v)
  if type(v) == "table" and v.type == "torch.Generator" then
    local g = torch.Generator()
    torch.setRNGState(g, v.state)
    return g
  end
  return v
end

-- run one case; returns a list of differences (empty when it matches Torch7).
-- `skip` names outputs not to compare (deliberate differences, checked by other specs).
function M.replay(case, skip)
  skip = skip or {}
  local env = setmetatable({}, { __index = _G })
  local problems = {}
  if case.setup and case.setup ~= "" then
    local chunk = assert(loadstring(case.setup, "setup"))
    setfenv(chunk, env)
    local ok, err = pcall(chunk)
    if not ok then return { "setup failed: " .. tostring(err) } end
  end
  -- recorded inputs replace what setup made (RNG draws, for one); a tensor setup made
  -- takes the recorded values in place, so views setup made keep sharing its storage
  for name, v in pairs(case.inputs or {}) do
    local mine = rawget(env, name)
    if torch.isTensor(v) and torch.isTensor(mine) and torch.type(mine) == torch.type(v)
      and mine:nElement() == v:nElement() and mine:isSameSizeAs(v) then
      if v:nElement() > 0 then mine:copy(v) end
    else
      rawset(env, name, input_value(v))
    end
  end
  local code = case.call:gsub("'generator_saved.t7'", "'" .. M.DIR .. "generator_saved.t7'")
  local chunk, perr = loadstring(code, "call")
  if not chunk then return { "call does not compile: " .. perr } end
  setfenv(chunk, env)
  local ok, err = pcall(chunk)
  if case.error then
    if ok then return { "Torch7 raised '" .. normalize(case.error) .. "', we did not" } end
    -- Torch7's text, possibly followed by more detail (inside its parentheses)
    local got, want = normalize(err), normalize(case.error)
    local stem = want:match("^(.*%(.*)%)$") or want
    if got ~= want and got:sub(1, #stem) ~= stem then
      return { "error '" .. normalize(err) .. "', Torch7 '" .. normalize(case.error) .. "'" }
    end
    return problems
  end
  if not ok then return { "raised: " .. tostring(err) } end
  if case.post then
    local post = assert(loadstring(case.post, "post"))
    setfenv(post, env)
    local pok, perr2 = pcall(post)
    if not pok then return { "post failed: " .. tostring(perr2) } end
  end
  for name, ty in pairs(case.types or {}) do
    local got = rawget(env, name)
    if skip[name] then ty = nil end
    if ty == nil then -- skipped
    elseif torch.type(got) ~= ty and not (ty == "nil" and got == nil) then
      problems[#problems + 1] = name .. ": type " .. torch.type(got) .. ", Torch7 " .. ty
    elseif ty ~= "nil" then
      compare_value(got, case.outputs[name], name, problems)
    end
  end
  for name, sizes in pairs(case.sizes or {}) do
    local got = rawget(env, name)
    if torch.isTensor(got) and not skip[name] then
      local gs = got:dim() == 0 and {} or got:size():totable()
      if not same_list(gs, sizes) then
        problems[#problems + 1] = name .. ": size " .. table.concat(gs, "x") .. ", Torch7 " .. table.concat(sizes, "x")
      elseif got:nElement() > 0 and not same_list(got:stride():totable(), case.strides[name]) then
        problems[#problems + 1] = name .. ": stride " .. table.concat(got:stride():totable(), ",") ..
          ", Torch7 " .. table.concat(case.strides[name], ",")
      elseif got:nElement() > 0 and got:storageOffset() ~= case.offsets[name] then
        problems[#problems + 1] = name .. ": offset " .. got:storageOffset() .. ", Torch7 " .. case.offsets[name]
      end
    end
  end
  for name, others in pairs(case.same_object or {}) do
    for _, other in ipairs(others) do
      if not rawequal(rawget(env, name), rawget(env, other)) then
        problems[#problems + 1] = name .. " should be the same object as " .. other
      end
    end
  end
  for name, others in pairs(case.shares_storage or {}) do
    local a = rawget(env, name)
    for _, other in ipairs(others) do
      local b = rawget(env, other)
      if torch.isTensor(a) and torch.isTensor(b) and a:storage() and b:storage()
        and torch.pointer(a:storage()) ~= torch.pointer(b:storage()) then
        problems[#problems + 1] = name .. " should share its storage with " .. other
      end
    end
  end
  return problems
end

--- the cases of one fixture file in generation order
function M.cases(file)
  local all = torch.load(M.DIR .. file .. ".t7")
  local names = {}
  for name in pairs(all) do names[#names + 1] = name end
  table.sort(names, function(a, b) return all[a].index < all[b].index end)
  return names, all
end

return M
