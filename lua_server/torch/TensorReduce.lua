-- Reductions in Torch7's shape: without a dimension they return a Lua number; with a
-- dimension d the result keeps d at size 1, and max/min also return 1-based LongTensor
-- indices. Methods return new results; torch.f(res, x, d) writes into res.
local aten = require "aten"
local torch = require "torch.env"
local core = require "torch.core"

local call, wrap = aten.call, core.wrap
local type, error = type, error
local isTensor = core.isTensor
local M = core.methods

local function check_dim(fname, t, d)
  local n = t:dim()
  if type(d) ~= "number" or d < 1 or d > n or d ~= math.floor(d) then
    error(string.format("%s: dimension %s out of range of a %dD tensor", fname, tostring(d), n), 4)
  end
  return d - 1
end

local function into(res, h)
  if res == nil then return wrap(h) end
  local r = wrap(h)
  res:resizeAs(r):copy(r)
  return res
end

-- accumulate integer sums in the tensor's own type, as Torch7's accreal does for values
local function number_of(h) return aten.call("item", h) end

local function simple(name, aten_all, aten_dim)
  local function reduce(self, d, res)
    if d == nil then
      if self:nElement() == 0 then
        if name == "sum" then return 0 end
        error(name .. ": empty tensor", 3)
      end
      return number_of(call(aten_all, self._h))
    end
    local dd = check_dim(name, self, d)
    return into(res, aten_dim(self, dd))
  end
  M[name] = function(self, d) return reduce(self, d) end
  torch[name] = function(a, b, c)
    if isTensor(b) then return reduce(b, c, a) end  -- torch.sum(res, x, d)
    return reduce(a, b)
  end
end

simple("sum", "sum", function(t, d) return call("sum.dim_IntList", t._h, { d }, true, nil) end)
simple("prod", "prod", function(t, d) return call("prod.dim_int", t._h, d, true, nil) end)
simple("mean", "mean", function(t, d) return call("mean.dim", t._h, { d }, true, nil) end)

-- max/min: a number, or (values, indices) keeping the dimension
local function extreme(name)
  local function reduce(self, d, resv, resi)
    if d == nil then
      if self:nElement() == 0 then error(name .. ": empty tensor", 3) end
      return number_of(call(name, self._h))
    end
    local dd = check_dim(name, self, d)
    local v, i = call(name .. ".dim", self._h, dd, true)
    i = call("add.Scalar", i, 1, 1)
    return into(resv, v), into(resi, i)
  end
  M[name] = function(self, d) return reduce(self, d) end
  torch[name] = function(a, b, c, e)
    if isTensor(b) and isTensor(c) then return reduce(c, e, a, b) end  -- torch.max(resv, resi, x, d)
    return reduce(a, b)
  end
end
extreme("max")
extreme("min")

return M
