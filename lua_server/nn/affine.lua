-- The parameter gradients of y = W x + b, for nn.Linear and for nn.LinearWeightNorm (which
-- takes dL/dW into gradV before turning it into its own parameters' gradients).
local A = {}

-- gradWeight += scale · gradOutput ⊗ input and gradBias += scale · gradOutput, summed over
-- the rows of a batch (addBuffer, a ones vector, sums the bias's rows as Torch7 did)
function A.accumulate(self, gradWeight, input, gradOutput, scale)
  if input:dim() == 1 then
    gradWeight:addr(scale, gradOutput, input)
    if self.bias then self.gradBias:add(scale, gradOutput) end
  else
    gradWeight:addmm(scale, gradOutput:t(), input)
    if self.bias then
      self:updateAddBuffer(input)
      self.gradBias:addmv(scale, gradOutput:t(), self.addBuffer)
    end
  end
end

return A
