-- nn.Profile(module [, print_interval=100] [, name]): runs the module and prints the time
-- its forward and backward passes took, summed over every print_interval passes.
local torch = require "torch"
local Profile, parent = torch.class("nn.Profile", "nn.Decorator")

function Profile:__init(module, print_interval, name)
  parent.__init(self, module)
  self.print_interval = print_interval or 100
  self.name = name or torch.type(module)
  self.module = module
  self.numFwds, self.numBwds = 0, 0
  self.summedFwdTime, self.summedBwdTime = 0, 0
end

-- the timer is made on first use: a timer does not travel in a .t7 file
local function timed(self, run)
  self.timer = self.timer or torch.Timer()
  self.timer:reset()
  local result = run()
  return result, self.timer:time().real
end

function Profile:updateOutput(input)
  local elapsed
  self.output, elapsed = timed(self, function() return self.modules[1]:updateOutput(input) end)
  self.summedFwdTime = self.summedFwdTime + elapsed
  self.numFwds = self.numFwds + 1
  if self.numFwds % self.print_interval == 0 then
    print(string.format("%s took %.3f seconds for %d forward passes", self.name,
      self.summedFwdTime, self.print_interval))
    self.numFwds, self.summedFwdTime = 0, 0
  end
  return self.output
end

function Profile:updateGradInput(input, gradOutput)
  local elapsed
  self.gradInput, elapsed = timed(self, function()
    return self.modules[1]:updateGradInput(input, gradOutput)
  end)
  self.summedBwdTime = self.summedBwdTime + elapsed
  self.numBwds = self.numBwds + 1
  if self.numBwds % self.print_interval == 0 then
    print(string.format("%s took %.3f seconds for %d backward passes", self.name,
      self.summedBwdTime, self.print_interval))
    self.numBwds, self.summedBwdTime = 0, 0
  end
  return self.gradInput
end

-- the timer holds no data worth saving
function Profile:write(file)
  local timer = self.timer
  self.timer = nil
  nn.Module.write(self, file)
  self.timer = timer
end

-- a timer saved by Torch7 is not restored: a fresh one starts at the next pass
function Profile:read(file, version)
  nn.Module.read(self, file, version)
  self.timer = nil
end

return Profile
