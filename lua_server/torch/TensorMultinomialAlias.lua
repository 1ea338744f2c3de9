-- Walker's alias method as Torch7 has it: torch.multinomialAliasSetup(probs [, state]) ->
-- state = {J, q} (the alias LongTensor, 1-based as Torch7 returns it, and the acceptance
-- probabilities in probs' type); torch.multinomialAlias(output, state) fills the
-- LongTensor output with draws and returns it. Each draw takes one uniform(0, K) for
-- the bucket and one bernoulli(q) from the global generator, as TH did, and gives
-- Torch7's numbers. Unlike Torch7, drawing leaves the state as it is: Torch7's wrapper
-- decremented J in place on every call (see docs/DIFFERENCES.md).
local ffi = require "ffi"
local torch = require "torch.env"
local core = require "torch.core"
local random = require "torch.random"

local type, error, floor = type, error, math.floor
local isTensor = core.isTensor

local fbuf = ffi.new("float[1]")
local function to_float(x) fbuf[0] = x; return fbuf[0] end
local function to_double(x) return x end

-- the alias table (0-based buckets, as TH computes it) and q, as Lua arrays
local function build(p, real)
  local K = #p
  local J, q, smaller, larger = {}, {}, {}, {}
  for i = 0, K - 1 do
    J[i] = 0
    q[i] = real(K * p[i + 1])
    if K * p[i + 1] < 1.0 then smaller[#smaller + 1] = i else larger[#larger + 1] = i end
  end
  -- pair each small bucket with a large one; the large one gives up the rest of its mass
  while #smaller > 0 and #larger > 0 do
    local large, small = larger[#larger], smaller[#smaller]
    J[small] = large
    q[large] = real(q[large] - real(1.0 - q[small]))
    if q[large] < 1.0 then
      smaller[#smaller] = large
      larger[#larger] = nil
    else
      smaller[#smaller] = nil
    end
  end
  local qmin, qmax = q[K - 1], q[K - 1]
  for i = 0, K - 1 do
    if q[i] < qmin then qmin = q[i] elseif q[i] > qmax then qmax = q[i] end
  end
  if not (qmin > 0) then error("bad argument #2 to 'multinomialAliasSetup' (q_min is less than 0)", 3) end
  if qmax > 1 then
    for i = 0, K - 1 do q[i] = real(q[i] / qmax) end
  end
  -- a bucket no small one was paired with keeps all of its mass
  for i = 0, K - 1 do
    if J[i] <= 0 then q[i] = 1.0 end
  end
  return J, q
end

function torch.multinomialAliasSetup(probs, state)
  if not isTensor(probs) or core.info(probs).integer then
    error("multinomialAliasSetup: probs must be a Float or Double tensor, got " .. torch.type(probs), 2)
  end
  if probs:dim() ~= 1 then
    error("multinomialAliasSetup: expected a 1-D probability tensor, got " .. probs:dim() .. "-D", 2)
  end
  local real = core.info(probs).short == "Float" and to_float or to_double
  local J, q = build(probs:double():totable(), real)
  local K = probs:size(1)
  if type(state) ~= "table" then state = {} end
  local Jt = isTensor(state[1]) and state[1] or torch.LongTensor()
  local qt = isTensor(state[2]) and state[2] or probs.new()
  Jt:resize(K)
  qt:resize(K)
  for i = 0, K - 1 do
    Jt[i + 1] = J[i] + 1
    qt[i + 1] = q[i]
  end
  state[1], state[2] = Jt, qt
  return state
end

function torch.multinomialAlias(output, state)
  local J, q = type(state) == "table" and state[1], type(state) == "table" and state[2]
  if torch.type(output) ~= "torch.LongTensor" or torch.type(J) ~= "torch.LongTensor"
    or torch.type(q) ~= "torch.DoubleTensor" then
    error(string.format("invalid arguments: %s %s %s \nexpected arguments: *LongTensor* [Generator] LongTensor DoubleTensor",
      torch.type(output):gsub("^torch%.", ""), torch.type(J):gsub("^torch%.", ""), torch.type(q):gsub("^torch%.", "")), 2)
  end
  local K = J:nElement()
  local alias, accept = J:totable(), q:totable()
  local n = output:nElement()
  if n == 0 then return output end
  local gen = random.default
  local draws = torch.LongTensor(n)
  local p = ffi.cast("int64_t*", draws:data())
  for i = 0, n - 1 do
    local bucket = floor(gen:uniform(0, K))
    -- Torch7 returns the stored (1-based) alias minus one when the draw is not accepted
    if gen:bernoulli(accept[bucket + 1]) == 1 then
      p[i] = bucket + 1
    else
      p[i] = alias[bucket + 1] - 1
    end
  end
  output:copy(draws)
  return output
end

return torch
