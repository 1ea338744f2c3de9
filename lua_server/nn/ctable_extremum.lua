-- nn.CMaxTable and nn.CMinTable share everything but the comparison: `beats` ("gt" or
-- "lt") says when a later input replaces the running extreme, `indexField` names the
-- tensor of winning input indices, as Torch7 names it. install(class, parent, beats, indexField).
local torch = require "torch"

return function(class, parent, beats, indexField)
  function class:__init()
    parent.__init(self)
    self.gradInput = {}
    self[indexField] = torch.Tensor()
  end

  function class:updateOutput(input)
    local winner = self[indexField]
    self.output:resizeAs(input[1]):copy(input[1])
    winner:resizeAs(input[1]):fill(1)
    for i = 2, #input do
      local mask = input[i][beats](input[i], self.output)
      winner:maskedFill(mask, i)
      self.output:maskedCopy(mask, input[i]:maskedSelect(mask))
    end
    return self.output
  end

  function class:updateGradInput(input, gradOutput)
    local winner = self[indexField]
    -- Torch7 reads gradOutput element by element: any shape with the same count will do
    local g = gradOutput
    if not g:isSameSizeAs(winner) then g = g:contiguous():view(winner:size()) end
    for i = 1, #input do
      self.gradInput[i] = self.gradInput[i] or input[i].new()
      self.gradInput[i]:resizeAs(input[i]):zero()
      local mask = winner:eq(i)
      self.gradInput[i]:maskedCopy(mask, g:maskedSelect(mask))
    end
    for i = #input + 1, #self.gradInput do self.gradInput[i] = nil end
    return self.gradInput
  end
end
