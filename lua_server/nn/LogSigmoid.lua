-- nn.LogSigmoid: log(1 / (1 + exp(-x))), computed stably; `buffer` keeps what the
-- backward pass needs.
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local call = aten.call
local LogSigmoid, parent = torch.class("nn.LogSigmoid", "nn.Module")

function LogSigmoid:updateOutput(input)
  self.buffer = self.buffer or input.new()
  local out, buffer = call("log_sigmoid_forward", input._h)
  local o, b = core.wrap(out), core.wrap(buffer)
  self.output:resizeAs(o):copy(o)
  self.buffer:resizeAs(b):copy(b)
  return self.output
end

function LogSigmoid:updateGradInput(input, gradOutput)
  local g = core.wrap(call("log_sigmoid_backward", gradOutput._h, input._h, self.buffer._h))
  self.gradInput:resizeAs(input):copy(g)
  return self.gradInput
end

function LogSigmoid:clearState()
  nn.utils.clear(self, "buffer")
  return parent.clearState(self)
end

return LogSigmoid
