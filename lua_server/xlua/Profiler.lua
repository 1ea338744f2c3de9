-- xlua.Profiler: named real/cpu timers, as Torch7's xlua had them:
-- p = xlua.Profiler(); p:start('load'); ...; p:lap('load'); p:printAll()
local sys = require "sys"
local xlua = rawget(_G, "xlua")

local Profiler = {}
Profiler.__index = Profiler

function xlua.Profiler(mode, verbose)
  local self = setmetatable({ events = {}, list = {}, off = mode == "off", verbose = verbose or false }, Profiler)
  for k, v in pairs(Profiler) do if k ~= "__index" then self[k] = v end end
  return self
end

function Profiler:start(name, fps)
  local event = self.events[name]
  if event then
    event.cpu, event.real = os.clock(), sys.clock()
  else
    event = { cpu = os.clock(), real = sys.clock(), name = name }
    self.events[name] = event
    self.list[#self.list + 1] = event
  end
  if fps == "fps" then event.fps = true end
  if self.verbose then io.write("<" .. name .. ">"); io.flush() end
end

local function event_of(self, name)
  local event = self.events[name]
  if not event then error("# ERROR: There is no such profiler - " .. tostring(name) .. ", create it first", 3) end
  return event
end

function Profiler:setColor(name, color)
  event_of(self, name).color = color
end

function Profiler:cpu(name, divider)
  local event = event_of(self, name)
  local delta = os.clock() - event.cpu
  if divider then delta = delta / divider end
  event.cpud = delta
  return delta
end

function Profiler:real(name, divider)
  local event = event_of(self, name)
  local delta = sys.clock() - event.real
  if divider then delta = delta / divider end
  event.reald = delta
  return delta
end

function Profiler:lap(name, divider)
  local r = self:real(name, divider)
  local c = self:cpu(name, divider)
  if self.verbose then io.write("\r"); self:print(name) end
  return r, c
end

function Profiler:format(name)
  local event = event_of(self, name)
  return string.format("$ real | cpu: %f | %f <%s>", event.reald or -1, event.cpud or -1, name)
end

function Profiler:print(name)
  if not self.off then print(self:format(name)) end
end

function Profiler:formatAll()
  local lines = { "$ profiler report:" }
  for _, e in ipairs(self.list) do
    local line = string.format("$ real %f | cpu %f <%s>", e.reald or -1, e.cpud or -1, e.name)
    if e.fps then line = line .. string.format(" = %f fps", 1 / e.reald) end
    lines[#lines + 1] = line
  end
  return table.concat(lines, "\n")
end

function Profiler:printAll()
  if not self.off then print(self:formatAll()) end
end
