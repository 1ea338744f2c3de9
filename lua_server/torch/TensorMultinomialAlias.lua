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

-- multinomialAliasSetup_(probs [, J [, q]]) -> J, q: the tables into J (a LongTensor) and q
-- (probs' type), made when not given; Torch7's C form, which torch.multinomialAliasSetup wraps
local function setup(probs, Jt, qt)
  if not isTensor(probs) or core.info(probs).integer then
    error("multinomialAliasSetup: probs must be a Float or Double tensor, got " .. torch.type(probs), 3)
  end
  if probs:dim() ~= 1 then
    error("multinomialAliasSetup: expected a 1-D probability tensor, got " .. probs:dim() .. "-D", 3)
  end
  local real = core.info(probs).short == "Float" and to_float or to_double
  local J, q = build(probs:double():totable(), real)
  local K = probs:size(1)
  Jt = isTensor(Jt) and Jt or torch.LongTensor()
  qt = isTensor(qt) and qt or probs.new()
  Jt:resize(K)
  qt:resize(K)
  for i = 0, K - 1 do
    Jt[i + 1] = J[i] + 1
    qt[i + 1] = q[i]
  end
  return Jt, qt
end

function torch.multinomialAliasSetup_(probs, J, q) return setup(probs, J, q) end
core.methods.multinomialAliasSetup_ = torch.multinomialAliasSetup_

function torch.multinomialAliasSetup(probs, state)
  if type(state) ~= "table" then state = {} end
  state[1], state[2] = setup(probs, state[1], state[2])
  return state
end

-- output filled with draws from the tables J, q (q in a Float or Double tensor)
local function draw(output, J, q)
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

local function argument_error(output, J, q, expected_q)
  error(string.format("invalid arguments: %s %s %s \nexpected arguments: *LongTensor* [Generator] LongTensor %s",
    torch.type(output):gsub("^torch%.", ""), torch.type(J):gsub("^torch%.", ""),
    torch.type(q):gsub("^torch%.", ""), expected_q), 3)
end

-- multinomialAlias_(output, J, q) -> output: Torch7's C form, per tensor type
function torch.multinomialAlias_(output, J, q)
  if torch.type(output) ~= "torch.LongTensor" or torch.type(J) ~= "torch.LongTensor"
    or not (torch.type(q) == "torch.DoubleTensor" or torch.type(q) == "torch.FloatTensor") then
    argument_error(output, J, q, "Tensor")
  end
  return draw(output, J, q)
end
core.methods.multinomialAlias_ = torch.multinomialAlias_

-- multinomialAlias(output, state): as Torch7, through the Double form
function torch.multinomialAlias(output, state)
  local J, q = type(state) == "table" and state[1], type(state) == "table" and state[2]
  if torch.type(output) ~= "torch.LongTensor" or torch.type(J) ~= "torch.LongTensor"
    or torch.type(q) ~= "torch.DoubleTensor" then
    argument_error(output, J, q, "DoubleTensor")
  end
  return draw(output, J, q)
end

return torch
