-- nn.Concat(dim): every module gets the same input; their outputs are joined along dim.
-- gradInput is the sum of the modules' gradInputs (tables of them, for table inputs).
local torch = require "torch"
local ipairs, type = ipairs, type
local Concat, parent = torch.class("nn.Concat", "nn.Container")

function Concat:__init(dimension)
  parent.__init(self)
  self.outputSize = torch.LongStorage()
  self.dimension = dimension
end

function Concat:updateOutput(input)
  self.outputSize = self.outputSize or torch.LongStorage()
  local dim = self.dimension
  local outs = {}
  for i = 1, #self.modules do
    local out = self:rethrowErrors(self.modules[i], i, "updateOutput", input)
    outs[i] = out
    if i == 1 then
      self.outputSize:resize(out:dim()):copy(out:size())
    else
      self.outputSize[dim] = self.outputSize[dim] + out:size(dim)
    end
  end
  self.output:resize(self.outputSize)
  local offset = 1
  for i = 1, #outs do
    local n = outs[i]:size(dim)
    self.output:narrow(dim, offset, n):copy(outs[i])
    offset = offset + n
  end
  return self.output
end

-- t1 takes t2's nested shape; f(t1, k, v) handles each tensor leaf
local function retable(t1, t2, f)
  for k, v in ipairs(t2) do
    if type(v) == "table" then t1[k] = retable(t1[k] or {}, v, f) else f(t1, k, v) end
  end
  for i = #t2 + 1, #t1 do t1[i] = nil end
  return t1
end
Concat.retable = retable

local function copyLeaf(t, k, v)
  t[k] = t[k] or v:clone()
  t[k]:resizeAs(v):copy(v)
end
local function addLeaf(t, k, v)
  if t[k] then t[k]:add(v) else t[k] = v:clone() end
end
Concat.copyLeaf, Concat.addLeaf = copyLeaf, addLeaf

local function backward(self, method, input, gradOutput, scale)
  local dim = self.dimension
  local isTable = type(input) == "table"
  local wasTable = type(self.gradInput) == "table"
  scale = scale or 1
  if not isTable then
    self.gradInput = (not wasTable) and self.gradInput:resizeAs(input) or input:clone()
  end
  local offset = 1
  for i, module in ipairs(self.modules) do
    local n = module.output:size(dim)
    local gi = self:rethrowErrors(module, i, method, input, gradOutput:narrow(dim, offset, n), scale)
    if isTable then
      if type(gi) ~= "table" then error("currentGradInput is not a table!", 2) end
      if #input ~= #gi then error("table size mismatch: " .. #input .. " ~= " .. #gi, 2) end
      if i == 1 then
        self.gradInput = wasTable and self.gradInput or {}
        retable(self.gradInput, gi, copyLeaf)
      else
        retable(self.gradInput, gi, addLeaf)
      end
    elseif gi then  -- a module may give no gradInput (a first layer); skip it
      if i == 1 then self.gradInput:copy(gi) else self.gradInput:add(gi) end
    end
    offset = offset + n
  end
  return self.gradInput
end

function Concat:updateGradInput(input, gradOutput)
  return backward(self, "updateGradInput", input, gradOutput)
end

function Concat:backward(input, gradOutput, scale)
  return backward(self, "backward", input, gradOutput, scale)
end

-- fname(input, the module's slice of gradOutput, arg) on every module
local function each_slice(self, fname, input, gradOutput, arg)
  local offset = 1
  for i, module in ipairs(self.modules) do
    local n = module.output:size(self.dimension)
    self:rethrowErrors(module, i, fname, input, gradOutput:narrow(self.dimension, offset, n), arg)
    offset = offset + n
  end
end

function Concat:accGradParameters(input, gradOutput, scale)
  each_slice(self, "accGradParameters", input, gradOutput, scale or 1)
end

function Concat:accUpdateGradParameters(input, gradOutput, lr)
  each_slice(self, "accUpdateGradParameters", input, gradOutput, lr)
end

-- the branch drawing Concat, ConcatTable and DepthConcat share (Torch7's exact strings)
function Concat.branchString(self, lastNext)
  local tab, line = "  ", "\n"
  local nextStr, ext, extlast, last = "  |`-> ", "  |    ", "       ", "   ... -> "
  local str = torch.type(self) .. " {" .. line .. tab .. "input"
  for i = 1, #self.modules do
    local s = tostring(self.modules[i])
    if i == #self.modules and lastNext then
      str = str .. line .. tab .. lastNext .. "(" .. i .. "): " .. s:gsub(line, line .. tab .. extlast)
    else
      str = str .. line .. tab .. nextStr .. "(" .. i .. "): " .. s:gsub(line, line .. tab .. ext)
    end
  end
  return str .. line .. tab .. last .. "output" .. line .. "}"
end

function Concat:__tostring__()
  return Concat.branchString(self, "   `-> ")
end

return Concat
