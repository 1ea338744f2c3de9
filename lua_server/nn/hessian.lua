-- nn.hessian: estimates of the diagonal of the Hessian (second derivatives of a loss with
-- respect to inputs and parameters, Becker & LeCun's Gauss-Newton approximation), used to
-- scale learning rates per parameter. Off until nn.hessian.enable() installs the methods:
--   module:initDiagHessianParameters()
--   module:updateDiagHessianInput(input, diagHessianOutput) -> module.diagHessianInput
--   module:accDiagHessianParameters(input, diagHessianOutput) -> diagHessianWeight/Bias
-- and a third result of parameters()/getParameters() holding the diagonal Hessians.
-- For a layer linear in its input and weights, d2L/dx2 = (W.^2)' d2L/dy2 and
-- d2L/dW2 = d2L/dy2 (x.^2)': updateGradInput run with squared weights, and
-- accGradParameters run with squared inputs into the Hessian tensors.
local torch = require "torch"
nn = nn or {}  -- luacheck: ignore
local hessian = {}
nn.hessian = hessian

local GRADS = { "gradWeight", "gradBias" }
local HESSIANS = { "diagHessianWeight", "diagHessianBias" }

-- accGradParameters(input.^2, diagHessianOutput) accumulating into the Hessian fields
function hessian.accDiagHessianParameters(module, input, diagHessianOutput, gw, hw)
  if #gw ~= #hw then error("nn.hessian: as many gradient names as Hessian names expected", 2) end
  module.inputSq = module.inputSq or input.new()
  module.inputSq:resizeAs(input):copy(input):cmul(input)
  local saved = {}
  for i = 1, #gw do
    local g = module[gw[i]]
    if g then
      module[hw[i]] = module[hw[i]] or g.new():resizeAs(g):zero()
      saved[i] = g
      module[gw[i]] = module[hw[i]]
    end
  end
  local ok, err = pcall(module.accGradParameters, module, module.inputSq, diagHessianOutput, 1)
  for i = 1, #gw do
    if saved[i] then module[gw[i]] = saved[i] end
  end
  if not ok then error(err, 0) end
end

-- updateGradInput(input, diagHessianOutput) with every weight squared, into diagHessianInput
function hessian.updateDiagHessianInput(module, input, diagHessianOutput, w, wsq)
  if #w ~= #wsq then error("nn.hessian: as many weight names as squared-weight names expected", 2) end
  module.diagHessianInput = module.diagHessianInput or input.new()
  module.diagHessianInput:resizeAs(input)
  local gradInput = module.gradInput
  module.gradInput = module.diagHessianInput
  local saved = {}
  for i = 1, #w do
    local v = module[w[i]]
    if v then
      module[wsq[i]] = module[wsq[i]] or v.new()
      module[wsq[i]]:resizeAs(v):copy(v):cmul(v)
      saved[i] = v
      module[w[i]] = module[wsq[i]]
    end
  end
  local ok, err = pcall(module.updateGradInput, module, input, diagHessianOutput)
  for i = 1, #w do
    if saved[i] then module[w[i]] = saved[i] end
  end
  module.diagHessianInput = module.gradInput
  module.gradInput = gradInput
  if not ok then error(err, 0) end
end

-- elementwise layers: d2L/dx2 = f'(x)^2 d2L/dy2, f'(x) from a backward of ones
function hessian.updateDiagHessianInputPointWise(module, input, diagHessianOutput)
  local ones = diagHessianOutput.new():resizeAs(diagHessianOutput):fill(1)
  hessian.updateDiagHessianInput(module, input, ones, {}, {})
  module.diagHessianInput:cmul(module.diagHessianInput):cmul(diagHessianOutput)
end

function hessian.initDiagHessianParameters(module, gw, hw)
  module.diagHessianInput = module.diagHessianInput or module.gradInput.new()
  for i = 1, #gw do
    local g = module[gw[i]]
    if g then module[hw[i]] = module[hw[i]] or g.new():resizeAs(g):zero() end
  end
end

local enabled = false

function hessian.enable()
  if enabled then return end
  enabled = true
  local Module, Sequential, Container = nn.Module, nn.Sequential, nn.Container

  -- any module with a weight is taken as linear in input and weights (Linear, the
  -- convolutions); others must say how (elementwise layers below) or raise
  function Module:updateDiagHessianInput(input, diagHessianOutput)
    if not self.weight then
      error(torch.typename(self) .. ":updateDiagHessianInput() is undefined", 2)
    end
    hessian.updateDiagHessianInput(self, input, diagHessianOutput, { "weight" }, { "weightSq" })
    return self.diagHessianInput
  end

  function Module:accDiagHessianParameters(input, diagHessianOutput)
    if self.gradWeight or self.gradBias then
      hessian.accDiagHessianParameters(self, input, diagHessianOutput, GRADS, HESSIANS)
    end
  end

  function Module:initDiagHessianParameters()
    if self.gradWeight or self.gradBias then
      hessian.initDiagHessianParameters(self, GRADS, HESSIANS)
    end
  end

  for _, name in ipairs({ "Tanh", "Sigmoid", "Square", "Sqrt" }) do
    if nn[name] then
      nn[name].updateDiagHessianInput = function(self, input, diagHessianOutput)
        hessian.updateDiagHessianInputPointWise(self, input, diagHessianOutput)
        return self.diagHessianInput
      end
    end
  end

  function nn.Reshape:updateDiagHessianInput(input, diagHessianOutput)
    self.diagHessianInput = self.diagHessianInput or input.new()
    self.diagHessianInput:set(diagHessianOutput:contiguous()):resizeAs(input)
    return self.diagHessianInput
  end

  function Sequential:initDiagHessianParameters()
    for _, m in ipairs(self.modules) do m:initDiagHessianParameters() end
  end

  function Sequential:updateDiagHessianInput(input, diagHessianOutput)
    local current = diagHessianOutput
    for i = #self.modules, 2, -1 do
      current = self.modules[i]:updateDiagHessianInput(self.modules[i - 1].output, current)
    end
    self.diagHessianInput = self.modules[1]:updateDiagHessianInput(input, current)
    return self.diagHessianInput
  end

  function Sequential:accDiagHessianParameters(input, diagHessianOutput)
    local current = diagHessianOutput
    for i = #self.modules, 2, -1 do
      self.modules[i]:accDiagHessianParameters(self.modules[i - 1].output, current)
      current = self.modules[i].diagHessianInput
    end
    self.modules[1]:accDiagHessianParameters(input, current)
  end

  function nn.Criterion:updateDiagHessianInput()
    error(torch.typename(self) .. ":updateDiagHessianInput() is undefined", 2)
  end

  -- d2/dx2 of (x - t)^2 [/ n]
  function nn.MSECriterion:updateDiagHessianInput(input)
    self.diagHessianInput = self.diagHessianInput or input.new()
    local value = self.sizeAverage and 2 / input:nElement() or 2
    self.diagHessianInput:resizeAs(input):fill(value)
    return self.diagHessianInput
  end

  -- parameters() gains a third list: the diagonal Hessians, beside the gradients
  local moduleParameters = Module.parameters
  function Module:parameters()
    local w, gw = moduleParameters(self)
    if not w then return nil end
    local hw = {}
    if self.weight and w[1] == self.weight then hw[#hw + 1] = self.diagHessianWeight end
    if self.bias and w[#w] == self.bias then hw[#hw + 1] = self.diagHessianBias end
    return w, gw, hw
  end

  function Container:parameters()
    local w, gw, hw = {}, {}, {}
    for _, m in ipairs(self.modules) do
      local mw, mgw, mhw = m:parameters()
      if mw then
        for i = 1, #mw do
          w[#w + 1], gw[#gw + 1] = mw[i], mgw[i]
          if mhw and mhw[i] then hw[#hw + 1] = mhw[i] end
        end
      end
    end
    return w, gw, hw
  end

  local getParameters = Module.getParameters
  function Module:getParameters()
    local p, g = getParameters(self)
    local _, _, hw = self:parameters()
    if hw and hw[1] then return p, g, Module.flatten(hw) end
    return p, g
  end
end

return hessian
