-- Torch7's bit operations: bitand bitor bitxor lshift rshift with a number, cbitand cbitor
-- cbitxor clshift crshift with a tensor, in all of Torch7's calling forms:
--   torch.f(t, x)   a new result      torch.f(res, t, x)   res = f(t, x)
--   t:f(x)          t = f(t, x)       res:f(t, x)          res = f(t, x)
-- On integer types shifts see the bits as unsigned, as TH's C did (so a right shift of a
-- negative number brings in zeros); on Float/Double a shift by n multiplies or divides by
-- 2^n; and/or/xor refuse floating-point tensors.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local call, run, wrap = aten.call, aten.run, core.wrap
local type, error, select, getmetatable = type, error, select, getmetatable
local isTensor = core.isTensor
local M = core.methods

local BITS = { Byte = 8, Char = 8, Short = 16, Int = 32, Long = 64 }

local function short_name(v)
  if isTensor(v) then return core.info(v).short .. "Tensor" end
  return type(v)
end

-- Torch7's wrapper error for tensors of different types
local function wrong_types(fname, ...)
  local got = {}
  for i = 1, select("#", ...) do got[i] = short_name((select(i, ...))) end
  local first = select(1, ...)
  local t = isTensor(first) and short_name(first) or "Tensor"
  error(string.format("invalid arguments: %s \nexpected arguments: [*%s*] %s %s",
    table.concat(got, " "), t, t, fname:sub(1, 1) == "c" and t or "number"), 4)
end

-- the handle of the unsigned right shift of t by `amount` (a handle of t's type)
local function logical_right_shift(h, amount, bits)
  local shifted = call("bitwise_right_shift.Tensor", h, amount)
  -- clear the copies of the sign bit: mask = ~(-1 << (bits - amount))
  local keep = call("bitwise_not", call("bitwise_left_shift.Scalar_Tensor", -1,
    call("rsub.Scalar", amount, bits)))
  return call("bitwise_and.Tensor", shifted, keep)
end

local function shift(info, h, amount, left)
  if info.short == "Half" then
    error((left and "lshift" or "rshift") .. " is not supported for torch.HalfTensor", 4)
  end
  if not info.integer then  -- Float/Double: times or over 2^amount
    local factor = type(amount) == "number" and 2 ^ amount or call("pow.Scalar", 2, amount)
    if type(factor) == "number" then
      return call(left and "mul.Scalar" or "div.Scalar", h, factor)
    end
    return call(left and "mul.Tensor" or "div.Tensor", h, factor)
  end
  local amount_h = amount
  if type(amount) == "number" then amount_h = call("full_like", h, amount) end
  if left then return call("bitwise_left_shift.Tensor", h, amount_h) end
  if info.short == "Byte" then return call("bitwise_right_shift.Tensor", h, amount_h) end
  return logical_right_shift(h, amount_h, BITS[info.short])
end

local LOGICAL = { bitand = "bitwise_and", bitor = "bitwise_or", bitxor = "bitwise_xor" }

-- the result handle of op(t, x); x is a number or a same-typed tensor's handle
local function compute(fname, t, x)
  local info = core.info(t)
  local base = fname:gsub("^c", "")
  local aten_name = LOGICAL[base]
  if aten_name then
    if not info.integer then
      error(fname .. " is only supported for integer type tensors", 4)
    end
    return call(aten_name .. (type(x) == "number" and ".Scalar" or ".Tensor"), t._h, x)
  end
  return shift(info, t._h, x, base == "lshift")
end

local function operand(fname, t, x, ...)
  if fname:sub(1, 1) == "c" then
    if not isTensor(x) then wrong_types(fname, ...) end
    if getmetatable(x) ~= getmetatable(t) then wrong_types(fname, ...) end
    if x:nElement() ~= t:nElement() then
      error(string.format("%s: inconsistent tensor size, expected tensor [%s] and src [%s] to have the same number of elements",
        fname, core.size_string(t), core.size_string(x)), 4)
    end
    if x:isSameSizeAs(t) then return x._h end
    return call("reshape", x._h, core.sizes(t))
  end
  local v = tonumber(x)
  if v == nil then wrong_types(fname, ...) end
  if core.info(t).integer then v = v < 0 and math.ceil(v) or math.floor(v) end
  return v
end

-- res = f(t, x), res resized to t's shape; returns res
local function apply(fname, res, t, x, ...)
  if not isTensor(t) or getmetatable(res) ~= getmetatable(t) then wrong_types(fname, ...) end
  local out = compute(fname, t, operand(fname, t, x, ...))
  if not rawequal(res, t) and not res:isSameSizeAs(t) then run("resize_", res._h, core.sizes(t)) end
  run("copy_", res._h, out, false)
  return res
end

for _, fname in ipairs({ "bitand", "bitor", "bitxor", "lshift", "rshift",
  "cbitand", "cbitor", "cbitxor", "clshift", "crshift" }) do
  M[fname] = function(self, a, b)
    if b == nil then return apply(fname, self, self, a, self, a) end
    return apply(fname, self, a, b, self, a, b)
  end
  torch[fname] = function(a, b, c)
    if c ~= nil then return apply(fname, a, b, c, a, b, c) end
    if not isTensor(a) then wrong_types(fname, a, b) end
    return apply(fname, a.new(), a, b, a, b)
  end
end

return M
