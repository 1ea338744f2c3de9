-- nn.Container: a module made of modules (self.modules), forwarding the Module API to them.
local torch = require "torch"
local Container, parent = torch.class("nn.Container", "nn.Module")

function Container:__init(...)
  parent.__init(self, ...)
  self.modules = {}
end

function Container:add(module)
  table.insert(self.modules, module)
  return self
end

function Container:get(index)
  return self.modules[index]
end

function Container:size()
  return #self.modules
end

-- Run fn on module i; on error, say which module failed (as Torch7's rethrowErrors does).
function Container:rethrowErrors(module, index, fname, ...)
  local ok, a, b = pcall(module[fname], module, ...)
  if not ok then
    error(string.format("In %d module of %s:\n%s", index, torch.type(self), tostring(a)), 0)
  end
  return a, b
end

function Container:applyToModules(func)
  for _, module in ipairs(self.modules) do func(module) end
end

function Container:zeroGradParameters()
  self:applyToModules(function(m) m:zeroGradParameters() end)
end

function Container:updateParameters(learningRate)
  self:applyToModules(function(m) m:updateParameters(learningRate) end)
end

function Container:training()
  self:applyToModules(function(m) m:training() end)
  parent.training(self)
end

function Container:evaluate()
  self:applyToModules(function(m) m:evaluate() end)
  parent.evaluate(self)
end

function Container:share(mlp, ...)
  for i = 1, #self.modules do self.modules[i]:share(mlp.modules[i], ...) end
  return self
end

function Container:reset(stdv)
  self:applyToModules(function(m) m:reset(stdv) end)
end

function Container:parameters()
  local w, gw = {}, {}
  for _, module in ipairs(self.modules) do
    local mw, mgw = module:parameters()
    if mw then
      for i = 1, #mw do
        w[#w + 1] = mw[i]
        gw[#gw + 1] = mgw[i]
      end
    end
  end
  return w, gw
end

function Container:clearState()
  parent.clearState(self)
  self:applyToModules(function(m) if m.clearState then m:clearState() end end)
  return self
end

return Container
