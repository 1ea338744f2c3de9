-- nn.Copy([intype] [, outtype] [, forceCopy] [, dontCast]): copies the input into a tensor
-- of type outtype (and gradOutput back into intype). With equal types and no forceCopy the
-- input passes through uncopied. dontCast keeps both types through :type().
local torch = require "torch"
local Copy, parent = torch.class("nn.Copy", "nn.Module")

function Copy:__init(intype, outtype, forceCopy, dontCast)
  intype = intype or torch.getdefaulttensortype()
  outtype = outtype or torch.getdefaulttensortype()
  parent.__init(self)
  self.dontCast = dontCast
  self.gradInput = torch.getmetatable(intype).new()
  self.output = torch.getmetatable(outtype).new()
  -- Torch7 replaces the two methods on the instance; a flag does the same job
  self.passThrough = (not forceCopy) and intype == outtype or nil
end

function Copy:updateOutput(input)
  if self.passThrough then
    self.output:set(input)
    return input
  end
  self.output:resize(input:size()):copy(input)
  return self.output
end

function Copy:updateGradInput(input, gradOutput)
  if self.passThrough then
    self.gradInput:set(gradOutput)
    return gradOutput
  end
  self.gradInput:resize(gradOutput:size()):copy(gradOutput)
  return self.gradInput
end

-- Torch7 saved its pass-through closures with the instance; they are replaced by the flag
function Copy:read(file, version)
  parent.read(self, file, version)
  if type(rawget(self, "updateOutput")) == "function" then
    self.updateOutput, self.updateGradInput, self.passThrough = nil, nil, true
  end
end

function Copy:type(typeName, tensorCache)
  if typeName and self.dontCast then return self end
  return parent.type(self, typeName, tensorCache)
end

return Copy
