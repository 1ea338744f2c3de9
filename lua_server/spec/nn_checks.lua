-- Checks the specs of the container/wrapper/utility modules share: type conversion,
-- clearState and the .t7 round trip, for tensor or nested-table inputs and outputs.
-- Loaded with dofile from a spec (`expect` is the runner's global).
require "nn"
local C = {}

-- largest |a - b| over matching tensors of two nested structures (sizes must agree)
function C.maxDiff(a, b)
  if torch.isTensor(a) then
    expect.truthy(torch.isTensor(b), "both are tensors")
    expect.eq(table.concat(a:size():totable(), "x"), table.concat(b:size():totable(), "x"), "size")
    if a:nElement() == 0 then return 0 end
    return (a:double() - b:double()):abs():max()
  end
  if type(a) == "number" then return math.abs(a - b) end
  expect.eq(#a, #b, "table length")
  local m = 0
  for i = 1, #a do m = math.max(m, C.maxDiff(a[i], b[i])) end
  return m
end

local function deepClone(x)
  if torch.isTensor(x) then return x:clone() end
  if type(x) ~= "table" then return x end
  local t = {}
  for k, v in pairs(x) do t[k] = deepClone(v) end
  return t
end
C.clone = deepClone

local function convert(x, typeName)
  if torch.isTensor(x) then
    if x:type() == "torch.DoubleTensor" then return x:type(typeName) end
    return x
  end
  local t = {}
  for k, v in pairs(x) do t[k] = convert(v, typeName) end
  return t
end

-- module:float() computes what the Double module computes, in FloatTensors
function C.floatMatches(module, input, tol)
  local out = deepClone(module:forward(input))
  local m = module:clone():float()
  local fout = m:forward(convert(input, "torch.FloatTensor"))
  local function types(x)
    if torch.isTensor(x) then expect.eq(torch.type(x), "torch.FloatTensor", "float output") return end
    for _, v in pairs(x) do types(v) end
  end
  if type(fout) ~= "number" then types(fout) end
  expect.truthy(C.maxDiff(fout, out) <= (tol or 1e-5), "float output matches double")
  expect.eq(m:type(), "torch.FloatTensor", "module type")
end

-- clearState returns the module and empties output
function C.clears(module, input)
  module:forward(input)
  expect.truthy(module:clearState() == module, "clearState returns self")
  if torch.isTensor(module.output) then expect.eq(module.output:nElement(), 0, "output cleared") end
end

-- a copy written to a .t7 stream and read back computes the same forward
function C.roundTrip(module, input)
  local out = deepClone(module:forward(input))
  local f = torch.MemoryFile("rw"):binary()
  f:writeObject(module)
  f:seek(1)
  local copy = f:readObject()
  f:close()
  expect.eq(torch.type(copy), torch.type(module), "class after the round trip")
  expect.truthy(C.maxDiff(copy:forward(input), out) == 0, "same output after the round trip")
  return copy
end

return C
