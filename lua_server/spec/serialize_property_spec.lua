-- Property: for random nested structures with shared references, cycles and tensor views,
-- deserialize(serialize(x)) is isomorphic to x: same values, and the same sharing
-- (two paths reach one object after loading exactly when they did before).
require "torch"

local function rng(seed)
  local state = seed
  return function(n)  -- a small LCG: deterministic across runs, independent of torch's RNG
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n + 1
  end
end

local function random_structure(r)
  local pool = {}       -- objects made so far, to be shared and to form cycles
  local function leaf()
    local k = r(7)
    if k == 1 then return r(1000) - 500 end
    if k == 2 then return (r(1000) - 500) / 7 end
    if k == 3 then return ("s" .. r(100)):rep(r(3)) end
    if k == 4 then return r(2) == 1 end
    if k == 5 then
      local t = torch.Tensor(r(3), r(4)):uniform()
      pool[#pool + 1] = t
      return t
    end
    if k == 6 and #pool > 0 then
      local p = pool[r(#pool)]
      if torch.isTensor(p) and p:dim() == 2 then return p:t() end  -- a view of a shared storage
      return p
    end
    return "\0binary\255" .. r(9)
  end
  local function node(depth)
    local t = {}
    pool[#pool + 1] = t
    for _ = 1, r(4) do
      local key = r(3) == 1 and ("k" .. r(20)) or r(6)
      if depth < 4 and r(3) == 1 then t[key] = node(depth + 1)
      elseif #pool > 1 and r(5) == 1 then t[key] = pool[r(#pool)]  -- shared or cyclic
      else t[key] = leaf() end
    end
    return t
  end
  return node(1)
end

-- Walk a and b together; `pairs_seen` maps each object of a to its image in b, so that
-- sharing must match exactly.
local function isomorphic(a, b, seen, path)
  if type(a) ~= type(b) then return false, path .. ": types differ" end
  if torch.isTensor(a) then
    if not torch.isTensor(b) or torch.typename(a) ~= torch.typename(b) then return false, path .. ": tensor type" end
    if seen[a] then return seen[a] == b, path .. ": tensor identity" end
    seen[a] = b
    if not a:isSameSizeAs(b) or a:storageOffset() ~= b:storageOffset() then return false, path .. ": tensor layout" end
    if a:nElement() > 0 and (a - b):abs():max() ~= 0 then return false, path .. ": tensor values" end
    local sa, sb = torch.pointer(a:storage()), torch.pointer(b:storage())
    if seen[sa] and seen[sa] ~= sb then return false, path .. ": storage sharing" end
    seen[sa] = sb
    return true
  end
  if type(a) ~= "table" then return a == b, path .. ": " .. tostring(a) .. " ~= " .. tostring(b) end
  if seen[a] then return seen[a] == b, path .. ": table identity" end
  seen[a] = b
  for k, v in pairs(a) do
    local ok, why = isomorphic(v, b[k], seen, path .. "." .. tostring(k))
    if not ok then return false, why end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, path .. ": extra key " .. tostring(k) end
  end
  return true
end

describe("serialization round trips of random structures", function()
  for _, mode in ipairs { "binary", "ascii" } do
    it("preserve values and sharing over 200 structures in " .. mode, function()
      local r = rng(mode == "binary" and 1 or 2)
      for i = 1, 200 do
        local x = random_structure(r)
        local y = torch.deserialize(torch.serialize(x, mode), mode)
        local ok, why = isomorphic(x, y, {}, "root")
        if not ok then error("structure " .. i .. ": " .. why) end
        expect.truthy(y ~= x, "a loaded structure is a new object")
      end
    end)
  end

  it("detects a broken copy (the check itself can fail)", function()
    local shared = {}
    local x = { a = shared, b = shared }
    local y = { a = {}, b = {} }
    expect.eq((isomorphic(x, y, {}, "root")), false)
    expect.eq((isomorphic({ 1, 2 }, { 1, 3 }, {}, "root")), false)
  end)
end)
