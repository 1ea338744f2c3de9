-- Helpers the nn specs share: tensor comparisons against Lua tables, and finite-difference
-- gradient checks for what nn.Jacobian cannot take (table inputs, criterions).
-- Loaded with dofile from a spec (`expect` is the runner's global).
require "nn"
local H = {}

-- the tensor's values as a flat Lua array, row-major
local function flat(t)
  local c = t:contiguous()
  local v = c:view(c:nElement())
  local out = {}
  for i = 1, v:nElement() do out[i] = v[i] end
  return out
end
H.flat = flat

-- actual must have the sizes of `expected` (a tensor or nested table) and its values
-- within tol (relative above 1, absolute below)
function H.tensor(actual, expected, tol, what)
  what = what or "tensor"
  expect.truthy(torch.isTensor(actual), what .. " is a tensor")
  if not torch.isTensor(expected) then expected = torch.Tensor(expected) end
  expect.eq(table.concat(actual:size():totable(), "x"), table.concat(expected:size():totable(), "x"),
    what .. " size")
  local a, e = flat(actual), flat(expected)
  for i = 1, #e do expect.near(a[i], e[i], tol or 1e-12, what .. " element " .. i) end
end

-- the size of a tensor as "AxB"
function H.size(t) return table.concat(t:size():totable(), "x") end

-- every tensor leaf of a nested table, depth first
local function leaves(x, out)
  out = out or {}
  if torch.isTensor(x) then
    out[#out + 1] = x
  else
    for i = 1, #x do leaves(x[i], out) end
  end
  return out
end
H.leaves = leaves

-- a random structure shaped like x (tensor or nested table)
local function like(x)
  if torch.isTensor(x) then return x.new():resizeAs(x):uniform(-1, 1) end
  local out = {}
  for i = 1, #x do out[i] = like(x[i]) end
  return out
end
H.like = like

local function dot(a, b)
  local la, lb = leaves(a), leaves(b)
  local s = 0
  for i = 1, #la do s = s + la[i]:dot(lb[i]) end
  return s
end

-- Finite-difference check of module:updateGradInput for any input (tensor or nested
-- table): with a random gradOutput g, the gradient of <forward(x), g> with respect to every
-- input element must match backward. Returns the largest error.
function H.gradInputError(module, input, eps)
  eps = eps or 1e-6
  local g = like(module:forward(input))
  module:zeroGradParameters()
  local gi = leaves(module:backward(input, g))
  local gi_copy = {}
  for i = 1, #gi do gi_copy[i] = gi[i]:clone() end
  local maxerr = 0
  for k, x in ipairs(leaves(input)) do
    local v = x:view(x:nElement())
    local gv = gi_copy[k]:contiguous():view(x:nElement())
    for i = 1, v:nElement() do
      local orig = v[i]
      v[i] = orig + eps
      local fp = dot(module:forward(input), g)
      v[i] = orig - eps
      local fm = dot(module:forward(input), g)
      v[i] = orig
      maxerr = math.max(maxerr, math.abs((fp - fm) / (2 * eps) - gv[i]))
    end
  end
  return maxerr
end

-- The same for a parameter tensor and its gradient (param, dparam).
function H.paramError(module, input, param, dparam, eps)
  eps = eps or 1e-6
  local g = like(module:forward(input))
  module:zeroGradParameters()
  module:backward(input, g)
  local d = dparam:clone():view(dparam:nElement())
  local v = param:view(param:nElement())
  local maxerr = 0
  for i = 1, v:nElement() do
    local orig = v[i]
    v[i] = orig + eps
    local fp = dot(module:forward(input), g)
    v[i] = orig - eps
    local fm = dot(module:forward(input), g)
    v[i] = orig
    maxerr = math.max(maxerr, math.abs((fp - fm) / (2 * eps) - d[i]))
  end
  return maxerr
end

-- Finite-difference check of a criterion's gradient (input a tensor or nested table).
function H.criterionError(crit, input, target, eps)
  eps = eps or 1e-6
  crit:forward(input, target)
  local gi = leaves(crit:backward(input, target))
  local copies = {}
  for i = 1, #gi do copies[i] = gi[i]:clone() end
  local maxerr = 0
  for k, x in ipairs(leaves(input)) do
    local v = x:view(x:nElement())
    local gv = copies[k]:contiguous():view(x:nElement())
    for i = 1, v:nElement() do
      local orig = v[i]
      v[i] = orig + eps
      local fp = crit:forward(input, target)
      v[i] = orig - eps
      local fm = crit:forward(input, target)
      v[i] = orig
      maxerr = math.max(maxerr, math.abs((fp - fm) / (2 * eps) - gv[i]))
    end
  end
  return maxerr
end

return H
