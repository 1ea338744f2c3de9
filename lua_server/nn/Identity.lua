-- nn.Identity: output is the input itself and gradInput is gradOutput (no copies).
local torch = require "torch"
local type = type
local Identity, parent = torch.class("nn.Identity", "nn.Module")

function Identity:updateOutput(input)
  self.output = input
  return self.output
end

function Identity:updateGradInput(input, gradOutput)
  self.gradInput = gradOutput
  return self.gradInput
end

-- output/gradInput are someone else's tensors: drop the references, never :set() them
function Identity:clearState()
  for _, f in ipairs { "output", "gradInput" } do
    local v = self[f]
    if torch.isTensor(v) then
      self[f] = v.new()
    elseif type(v) == "table" then
      self[f] = {}
    else
      self[f] = nil
    end
  end
  return self
end

return Identity
