-- The per-axis fields of nn's spatial and volumetric layers (kW, dH, padT, adjW, dilationH,
-- ...): read in ATen's axis order, checked when a constructor gets them, and printed in
-- Torch7's argument order. An axis set is { aten = outermost axis first, shown = as Torch7's
-- constructors take and print them }.
local torch = require "torch"

local floor, format = math.floor, string.format
local error, type, tostring, select, concat = error, type, tostring, select, table.concat

local G = {}

G.SPATIAL = { aten = { "H", "W" }, shown = { "W", "H" } }
G.VOLUMETRIC = { aten = { "T", "H", "W" }, shown = { "T", "W", "H" } }

-- { self.<prefix>T, self.<prefix>H, ... } in ATen's order; absent fields read as `default`
function G.aten(self, prefix, axes, default)
  local values = {}
  for i, axis in ipairs(axes.aten) do values[i] = self[prefix .. axis] or default end
  return values
end

-- the length along one axis of a convolution's or pooling's output (rounded down)
function G.output_size(inputSize, kernel, stride, pad, dilation)
  return floor((inputSize + 2 * pad - (dilation * (kernel - 1) + 1)) / stride) + 1
end

-- constructor arguments given as name, value pairs must be integers >= 1; the error blames
-- the constructor's caller
function G.check_sizes(self, ...)
  for i = 1, select("#", ...), 2 do
    local name, v = select(i, ...)
    if type(v) ~= "number" or v ~= floor(v) or v < 1 then
      error(format("%s: %s must be an integer >= 1, got %s", torch.type(self), name, tostring(v)), 4)
    end
  end
end

-- Torch7's __tostring__ pieces, fields in the order its constructors take them
local function shown(self, prefix, axes, fmt, sep)
  local parts = {}
  for i, axis in ipairs(axes.shown) do
    local v = self[prefix .. axis]
    parts[i] = fmt and format(fmt, v) or v
  end
  return concat(parts, sep)
end

-- "3x2" for kW=3, kH=2
function G.sizes(self, prefix, axes)
  return shown(self, prefix, axes, "%d", "x")
end

-- "2,1" for dW=2, dH=1 (each formatted with fmt when given, as "%d")
function G.list(self, prefix, axes, fmt)
  return shown(self, prefix, axes, fmt, ",")
end

-- ", 1,0" for padW=1, padH=0: present when a field is set and one is not zero
function G.nonzero(self, prefix, axes)
  local set, nonzero = false, false
  for _, axis in ipairs(axes.shown) do
    local v = self[prefix .. axis]
    set = set or v ~= nil
    nonzero = nonzero or v ~= 0
  end
  if set and nonzero then return ", " .. shown(self, prefix, axes, nil, ",") end
  return ""
end

-- a convolution's ", dW,dH" (when a stride is not 1 or a padding not 0) and ", padW,padH"
function G.steps(self, axes)
  local s = ""
  for _, axis in ipairs(axes.shown) do
    if self["d" .. axis] ~= 1 or self["pad" .. axis] ~= 0 then
      s = ", " .. shown(self, "d", axes, "%d", ",")
      break
    end
  end
  return s .. G.nonzero(self, "pad", axes)
end

return G
