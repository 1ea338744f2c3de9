-- A layer of your own, in Torch7's shape: y = x * sigmoid(x). The notebook loads it with
-- client.load_lua_class("Swish.lua", "nn.Swish").
require 'nn'

local Swish, parent = torch.class('nn.Swish', 'nn.Module')

function Swish:__init()
   parent.__init(self)
   self.sigmoid = torch.Tensor()
end

function Swish:updateOutput(input)
   self.sigmoid:resizeAs(input):copy(input):mul(-1):exp():add(1):pow(-1)
   self.output:resizeAs(input):copy(input):cmul(self.sigmoid)
   return self.output
end

-- d/dx [x s(x)] = s(x) + x s(x) (1 - s(x)) = s(x) (1 + x (1 - s(x)))
function Swish:updateGradInput(input, gradOutput)
   local s = self.sigmoid
   self.gradInput:resizeAs(input):fill(1):add(-1, s):cmul(input):add(1):cmul(s):cmul(gradOutput)
   return self.gradInput
end
