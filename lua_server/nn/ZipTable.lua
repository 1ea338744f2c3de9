-- nn.ZipTable(): transposes a table of tables: {{a1, a2}, {b1, b2}} -> {{a1, b1}, {a2, b2}}.
local torch = require "torch"
local ZipTable, parent = torch.class("nn.ZipTable", "nn.Module")

function ZipTable:__init()
  parent.__init(self)
  self.output = {}
  self.gradInput = {}
end

local function zip(tables)
  local out = {}
  for i, inner in ipairs(tables) do
    for j, x in ipairs(inner) do
      out[j] = out[j] or {}
      out[j][i] = x
    end
  end
  return out
end

function ZipTable:updateOutput(input)
  self.output = zip(input)
  return self.output
end

function ZipTable:updateGradInput(input, gradOutput)
  self.gradInput = zip(gradOutput)
  return self.gradInput
end

return ZipTable
