-- nn.MV([trans=false]): the matrix-vector product of input {M, v}: M 2-D with v 1-D, or a
-- batch (M 3-D, v 2-D, batch first); trans multiplies by M's transpose.
local torch = require "torch"
local MV, parent = torch.class("nn.MV", "nn.Module")

function MV:__init(trans)
  parent.__init(self)
  self.trans = trans or false
  if type(self.trans) ~= "boolean" then
    error("nn.MV: the argument must be a boolean (transpose the matrix before multiplying)", 2)
  end
  self.gradInput = { torch.Tensor(), torch.Tensor() }
end

local function fail(msg) error("nn.MV: " .. msg, 3) end

function MV:updateOutput(input)
  local M, v = input[1], input[2]
  if M:dim() == 2 then
    if v:dim() ~= 1 then fail("vector must be 1D") end
    if self.trans then M = M:t() end
    if M:size(2) ~= v:size(1) then fail("matrix row count and vector length do not match") end
    self.output:resize(M:size(1)):mv(M, v)
  elseif M:dim() == 3 then
    if v:dim() ~= 2 then fail("vector must be 2D (batch dimension)") end
    if M:size(1) ~= v:size(1) then fail("inputs must contain the same number of minibatches") end
    if self.trans then M = M:transpose(2, 3) end
    if M:size(3) ~= v:size(2) then fail("matrix row count and vector length do not match") end
    self.output:resize(M:size(1), M:size(2), 1)
    self.output:bmm(M, v:view(v:size(1), v:size(2), 1))
    self.output:resize(M:size(1), M:size(2))
  else
    fail("input matrix must be 2D or 3D")
  end
  return self.output
end

-- y = M v: dM = g v^T (v g^T when transposed), dv = M^T g (M g when transposed)
function MV:updateGradInput(input, gradOutput)
  local M, v = input[1], input[2]
  local gM, gv = self.gradInput[1], self.gradInput[2]
  gM:resizeAs(M)
  gv:resizeAs(v)
  if M:dim() == 3 then
    local b, rows, cols = M:size(1), M:size(2), M:size(3)
    if self.trans then
      gM:bmm(v:contiguous():view(b, rows, 1), gradOutput:contiguous():view(b, 1, cols))
      gv:view(b, rows, 1):bmm(M, gradOutput:contiguous():view(b, cols, 1))
    else
      gM:bmm(gradOutput:contiguous():view(b, rows, 1), v:contiguous():view(b, 1, cols))
      gv:view(b, cols, 1):bmm(M:transpose(2, 3), gradOutput:contiguous():view(b, rows, 1))
    end
  else
    if self.trans then
      gM:zero():addr(v, gradOutput)
      gv:mv(M, gradOutput)
    else
      gM:zero():addr(gradOutput, v)
      gv:mv(M:t(), gradOutput)
    end
  end
  return self.gradInput
end

return MV
