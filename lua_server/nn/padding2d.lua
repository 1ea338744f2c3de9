-- nn.SpatialReflectionPadding and nn.SpatialReplicationPadding differ only in the ATen
-- kernel: install(class, parent, kernel) gives a class the shared methods.
local torch = require "torch"
local aten = require "aten"
local K = require "nn.kernels"

local call = aten.call
local error, assert = error, assert

local function padding(self)
  return { self.pad_l, self.pad_r, self.pad_t, self.pad_b }
end

return function(class, parent, kernel)
  function class:__init(pad_l, pad_r, pad_t, pad_b)
    parent.__init(self)
    self.pad_l = pad_l
    self.pad_r = pad_r or self.pad_l
    self.pad_t = pad_t or self.pad_l
    self.pad_b = pad_b or self.pad_l
  end

  function class:updateOutput(input)
    if input:dim() ~= 3 and input:dim() ~= 4 then error("input must be 3 or 4-dimensional", 2) end
    nn.utils.checkType(self, input, self.output)
    K.take(self.output, call(kernel, input._h, padding(self)))
    return self.output
  end

  function class:updateGradInput(input, gradOutput)
    local d = input:dim()
    if (d == 3 or d == 4) and gradOutput:dim() == d then
      assert((d == 3 or input:size(1) == gradOutput:size(1))
        and input:size(d - 2) == gradOutput:size(d - 2)
        and input:size(d - 1) + self.pad_t + self.pad_b == gradOutput:size(d - 1)
        and input:size(d) + self.pad_l + self.pad_r == gradOutput:size(d),
        "input and gradOutput must be compatible in size")
    else
      error("input and gradOutput must be 3 or 4-dimensional and have equal number of dimensions", 2)
    end
    K.take(self.gradInput, call(kernel .. "_backward", gradOutput._h, input._h, padding(self)))
    return self.gradInput
  end

  function class:__tostring__()
    return torch.type(self) .. string.format("(l=%d, r=%d, t=%d, b=%d)", self.pad_l, self.pad_r,
      self.pad_t, self.pad_b)
  end
end
