-- nn.gModule: a module made of any acyclic graph of nngraph.Nodes, in Torch7's shape:
--   fg / bg        the forward graph and the backward graph (its reverse),
--   forwardnodes / backwardnodes   their topological orders, which the passes follow,
--   innode / outnode   a dummy input node (root of fg) and output node (root of bg),
--   nInputs, modules (every node's module, in forward order, as an nn.Container).
-- Run-time values live in the nodes' shared data tables: data.input holds the inputs a
-- node received (by mapindex position), data.gradOutput the gradients still to be summed.
local torch = require "torch"
local utils = require "nngraph.utils"
local nesting = require "nngraph.nesting"

local istable = utils.istable
local gModule, parent = torch.class("nn.gModule", "nn.Container")

-- errors in __init blame the code that called nn.gModule(...): past __init, the
-- constructor and its call (the same depth as in Torch7's luaT)
local CALLER = 4

-- the gradient a node passes on when several consumers sent it one: their sum, recorded here
-- so accGradParameters uses the very tensor updateGradInput used
local summedGradOutput = setmetatable({}, { __mode = "k" })

local function checkNodes(list, what)
  for i = 1, utils.tableMaxN(list) do
    if torch.typename(list[i]) ~= "nngraph.Node" then
      error(utils.expectingNodeErrorMessage(list[i], what, i), CALLER + 1)
    end
  end
end

function gModule:__init(inputs, outputs)
  parent.__init(self)
  if type(inputs) ~= "table" or type(outputs) ~= "table" then
    error("nn.gModule(inputs, outputs): two tables of nngraph.Nodes expected", CALLER)
  end
  checkNodes(outputs, "outputs")
  checkNodes(inputs, "inputs")
  if #inputs == 0 then error("nn.gModule: no inputs are not supported", CALLER) end

  -- the graph is given backwards (outputs point at their inputs): a dummy output node takes
  -- every output, and a dummy input node feeds the inputs (through a split when several)
  local outnode = nngraph.Node({ input = {} })
  for i = 1, #outputs do outnode:add(outputs[i], true) end
  local innode = nngraph.Node({ input = {} })
  if #inputs == 1 then
    inputs[1]:add(innode, true)
  else
    local splits = { innode:split(#inputs) }
    for i = 1, #inputs do
      if #inputs[i].children ~= 0 then
        error(string.format("nn.gModule: inputs[%d] (declared at %s) should have no inputs", i,
          inputs[i].data.annotations._debugLabel), CALLER)
      end
    end
    for i = 1, #inputs do inputs[i]:add(splits[i], true) end
  end

  self.bg = outnode:graph()
  self.fg = self.bg:reverse()
  local roots = self.fg:roots()
  if #roots ~= 1 or roots[1].data ~= innode.data then
    error("nn.gModule: every node must be reachable from the inputs; found " .. #roots
      .. " starting points", CALLER)
  end
  self.innode = roots[1]
  self.outnode = outnode
  self.verbose = false
  self.nInputs = #inputs
  self.forwardnodes = self.fg:topsort()
  self.backwardnodes = self.bg:topsort()

  for i, node in ipairs(self.forwardnodes) do
    local data = node.data
    if data.nSplitOutputs and data.nSplitOutputs ~= #node.children then
      error(string.format("%d of split(%d) outputs from the node declared at %s are unused",
        data.nSplitOutputs - #node.children, data.nSplitOutputs, data.annotations._debugLabel), CALLER)
    end
    -- a node built on this one must be in the graph after it, else it leads nowhere
    for consumer in pairs(data.reverseMap) do
      local found = false
      for j = i + 1, #self.forwardnodes do
        if self.forwardnodes[j].data == consumer.data then found = true; break end
      end
      if not found then
        error(string.format("node declared on %s does not connect to gmodule output",
          consumer.data.annotations._debugLabel), CALLER)
      end
    end
    data.forwardNodeId = node.id
    if data.module then self:add(data.module) end
  end

  self.output = nil
  self.gradInput = nil
  if #self.outnode.children > 1 then self.output = self.outnode.data.input end
end

-- which node failed: its name or module, and where it was declared
local function describeNode(node)
  local data = node.data
  local what = data.annotations.name or (data.module and tostring(data.module):gsub("\n.*", ""))
    or (data.selectindex and ("select " .. data.selectindex))
    or (data.nSplitOutputs and ("split(" .. data.nSplitOutputs .. ")")) or ("Node" .. node.id)
  return string.format("%s declared at %s", what, tostring(data.annotations._debugLabel))
end

-- runs module[method](module, ...) for node; an error names the node and where it was declared
local function call(self, node, fn, module, ...)
  local ok, result = pcall(fn, module, ...)
  if ok then return result end
  if nngraph._onNodeError then nngraph._onNodeError(self, node) end
  if type(result) ~= "string" then error(result, 0) end
  error(result .. "\nIn nngraph node " .. describeNode(node), 0)
end

-- a node's inputs as its module takes them: the one input itself, else the list
local function moduleInput(data)
  local input = data.input
  if input == nil and data.module ~= nil then input = {} end  -- a node without inputs
  if #input == 1 then input = input[1] end
  return input
end

function gModule:updateOutput(input)
  return self:runForwardFunction("updateOutput", input)
end

-- func(module, input) -> output, or the name of a module method, run on every node in order
function gModule:runForwardFunction(func, input)
  if type(func) == "string" then
    local name = func
    func = function(module, x) return module[name](module, x) end
  end
  local nInputs = self.nInputs or #self.innode.children
  if nInputs <= 1 then
    input = { input }
  elseif type(input) ~= "table" then
    error(string.format("expecting table of %s inputs", nInputs), 2)
  end
  if #input ~= nInputs then
    error(string.format("Got %s inputs instead of %s", #input, nInputs), 2)
  end

  for _, node in ipairs(self.forwardnodes) do
    local received = node.data.input
    while received and #received > 0 do table.remove(received) end
  end
  local innode = self.innode
  innode.data.input = innode.data.input or {}
  for i, item in ipairs(input) do innode.data.input[i] = item end

  for _, node in ipairs(self.forwardnodes) do
    local data, output = node.data, nil
    if data.selectindex then
      local received = data.input
      if #received ~= 1 or not istable(received[1]) then
        error("the input for a split should be a table, at the node declared at "
          .. tostring(data.annotations._debugLabel), 2)
      end
      output = received[1][data.selectindex]
    else
      local x = moduleInput(data)
      if data.module then output = call(self, node, func, data.module, x) else output = x end
      if data.nSplitOutputs and (type(output) ~= "table" or data.nSplitOutputs ~= #output) then
        error(string.format("split(%s) cannot split %s outputs (node declared at %s)",
          data.nSplitOutputs, type(output) == "table" and #output or torch.type(output),
          tostring(data.annotations._debugLabel)), 2)
      end
    end
    for _, child in ipairs(node.children) do
      local childData = child.data
      childData.input = childData.input or {}
      local position = childData.mapindex[data]
      if childData.input[position] ~= nil then
        error("each input should have one source (node declared at "
          .. tostring(childData.annotations._debugLabel) .. ")", 2)
      end
      childData.input[position] = output
    end
    if self.verbose then print(" V : " .. node:label()) end
  end

  self.output = self.outnode.data.input
  if #self.outnode.children == 1 then self.output = self.output[1] end
  return self.output
end

-- a zero tensor over a one-element storage: a placeholder gradient that need not be summed
local function isZeroPlaceholder(t)
  if not torch.isTensor(t) then return false end
  local storage = t:storage()
  return storage ~= nil and storage:size() == 1 and storage[1] == 0
end

-- the sum of the gradients node's consumers sent (Torch7's order: first, then the others)
local function totalGradOutput(node)
  local data = node.data
  local received = data.gradOutput
  if #received == 1 then return received[1] end
  if not data.gradOutputBuffer then
    local live, index = 0, 1
    for i = 1, #received do
      if not isZeroPlaceholder(received[i]) then live, index = live + 1, i end
    end
    if live < 2 then return received[index] end
  end
  data.gradOutputBuffer = data.gradOutputBuffer or nesting.cloneNested(received[1])
  local sum = data.gradOutputBuffer
  nesting.resizeNestedAs(sum, received[1])
  nesting.copyNested(sum, received[1])
  for i = 2, #received do nesting.addNestedTo(sum, received[i]) end
  return sum
end

local function checkGradOutputs(self, gradOutput)
  local n = #self.outnode.children
  if n > 1 and (type(gradOutput) ~= "table" or #gradOutput ~= n) then
    error(string.format("Got %s gradOutputs instead of %s",
      type(gradOutput) == "table" and #gradOutput or torch.type(gradOutput), n), 3)
  end
end

local function updateGradInputOf(module, x, gradOutput)
  return module:updateGradInput(x, gradOutput)
end

function gModule:updateGradInput(input, gradOutput)
  checkGradOutputs(self, gradOutput)
  for _, node in ipairs(self.backwardnodes) do
    local received = node.data.gradOutput
    while received and #received > 0 do table.remove(received) end
  end
  local outdata = self.outnode.data
  outdata.gradOutput = outdata.gradOutput or {}
  outdata.gradOutput[1] = gradOutput

  for _, node in ipairs(self.backwardnodes) do
    local data = node.data
    local total = totalGradOutput(node)
    summedGradOutput[data] = total
    if data.selectindex then
      -- a select node hands its gradient to the split node, in its slot of a table
      local splitData = node.children[1].data
      splitData.gradOutput = splitData.gradOutput or {}
      splitData.gradOutput[1] = splitData.gradOutput[1] or {}
      splitData.gradOutput[1][data.selectindex] = total
    else
      local gradInput = total
      if data.module then
        gradInput = call(self, node, updateGradInputOf, data.module, moduleInput(data), total)
      end
      for _, child in ipairs(node.children) do
        local childData = child.data
        childData.gradOutput = childData.gradOutput or {}
        local g = gradInput
        if #node.children ~= 1 then g = gradInput[data.mapindex[childData]] end
        childData.gradOutput[#childData.gradOutput + 1] = g
      end
    end
    if self.verbose then print(" V : " .. node:label()) end
  end

  self.gradInput = self.innode.data.gradOutput[1]
  return self.gradInput
end

local function accGradParametersOf(module, x, gradOutput, scale)
  return module:accGradParameters(x, gradOutput, scale)
end

function gModule:accGradParameters(input, gradOutput, scale)
  checkGradOutputs(self, gradOutput)
  for _, node in ipairs(self.backwardnodes) do
    local data = node.data
    if data.module then
      local total = data.gradOutput[1]
      if #data.gradOutput > 1 then total = summedGradOutput[data] or data.gradOutputBuffer end
      call(self, node, accGradParametersOf, data.module, moduleInput(data), total, scale)
    end
    if self.verbose then print(" V : " .. node:label()) end
  end
end

-- func(module, otherModule) for the modules at the same places of two like-shaped gModules
function gModule:map(gm, func)
  for i, node in ipairs(self.forwardnodes) do
    local other = gm.forwardnodes[i]
    if not other or (node.data.module and not other.data.module) then
      error("trying to map another gModule with a different structure", 2)
    end
    if node.data.module then func(node.data.module, other.data.module) end
  end
end

-- tensors in plain tables (not in graph objects, which only hold references) change type
local function convertPlain(value, typeName, tensorCache)
  if torch.isTensor(value) then return nn.utils.recursiveType(value, typeName, tensorCache) end
  if istable(value) then
    for k, v in pairs(value) do value[k] = convertPlain(v, typeName, tensorCache) end
  end
  return value
end

function gModule:type(typeName, tensorCache)
  if not typeName then return self._type end
  tensorCache = tensorCache or {}
  for key, value in pairs(self) do self[key] = convertPlain(value, typeName, tensorCache) end
  for _, node in ipairs({ self.innode, self.outnode }) do
    for key, value in pairs(node.data) do
      if key ~= "mapindex" and key ~= "reverseMap" and key ~= "annotations" then
        node.data[key] = convertPlain(value, typeName, tensorCache)
      end
    end
  end
  for _, module in ipairs(self.modules) do module:type(typeName, tensorCache) end
  for _, node in ipairs(self.backwardnodes) do
    if node.data.gradOutputBuffer ~= nil then
      node.data.gradOutputBuffer = convertPlain(node.data.gradOutputBuffer, typeName, tensorCache)
    end
  end
  self._type = typeName
  return self
end

function gModule:clearState()
  local result = parent.clearState(self)
  for _, node in ipairs(self.backwardnodes) do
    node.data.gradOutput = nil
    node.data.gradOutputBuffer = nil
    summedGradOutput[node.data] = nil
  end
  for _, node in ipairs(self.forwardnodes) do node.data.input = nil end
  return result
end

-- models saved by older nngraph versions have no `modules`: rebuild it from the graph
function gModule:read(file)
  local fields = file:readObject()
  for k, v in pairs(fields) do self[k] = v end
  if not self.modules then
    self.modules = {}
    for _, node in ipairs(self.forwardnodes) do
      if node.data.module then self.modules[#self.modules + 1] = node.data.module end
    end
  end
end

function gModule:__tostring__()
  return self.name or torch.type(self)
end

return gModule
