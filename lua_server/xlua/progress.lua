-- xlua.progress(current, goal): Torch7's one-line progress bar, character for character:
-- ' [===>....] ' sized to the terminal (at most 120 columns, 80 when unknown), then
-- 'ETA: ..' (or 'Tot: ..' when done) and ' current/goal ' written over the bar's middle
-- with backspaces, redrawn with '\r' until current reaches goal.
local torch = require "torch"
local xlua = rawget(_G, "xlua")

local io, math, table = io, math, table

-- Torch7 asked tput, which honours $COLUMNS; without a terminal that gives 80
local function terminal_width()
  local columns = tonumber(os.getenv("COLUMNS"))
  if columns then return columns end
  local pipe = io.popen("tput cols 2>/dev/null", "r")
  local width = pipe and tonumber(pipe:read("*a"))
  if pipe then pipe:close() end
  return width or 80
end

local state = { done = true, previous = -1 }
local width

-- Inside a server request the drawing goes to the client as a progress message
-- (PROTOCOL.md §2.6), which draws tqdm's bar where tqdm is installed and this text otherwise.
local function show(current, goal, text)
  local stream = package.loaded["server.stream"]
  if not (stream and stream.progress(current, goal, text)) then io.write(text) end
  io.flush()
end

function xlua.progress(current, goal)
  width = width or math.min(terminal_width(), 120)
  local bar_length = width - 34
  local smoothing = 100
  local percent = math.floor(current * bar_length / goal)
  local out = {}

  if state.done and (state.previous == -1 or percent < state.previous) then
    state.done, state.previous = false, -1
    state.timer = torch.Timer()
    state.times, state.indices = { state.timer:time().real }, { current }
  else
    out[#out + 1] = "\r"
  end
  if state.done then return show(current, goal, table.concat(out)) end

  state.previous = percent
  out[#out + 1] = " ["
  for i = 1, bar_length do
    out[#out + 1] = (i < percent and "=") or (i == percent and ">") or "."
  end
  out[#out + 1] = "] "
  local pad = width - bar_length - 4
  out[#out + 1] = string.rep(" ", pad) .. string.rep("\b", pad)

  local elapsed = state.timer:time().real
  local step = 0
  if current ~= state.indices[1] then
    step = (elapsed - state.times[1]) / (current - state.indices[1])
  end
  local remaining = math.max(0, (goal - current) * step)
  table.insert(state.indices, current)
  table.insert(state.times, elapsed)
  if #state.indices > smoothing then
    state.indices = table.splice(state.indices)
    state.times = table.splice(state.times)
  end
  local stats
  if percent < bar_length then
    stats = " ETA: " .. xlua.formatTime(remaining)
  else
    stats = " Tot: " .. xlua.formatTime(elapsed)
  end
  stats = stats .. " | Step: " .. xlua.formatTime(step)
  out[#out + 1] = stats
  -- back to the middle of the bar (Torch7 wrote 5 + #stats + bar_length/2 backspaces)
  out[#out + 1] = string.rep("\b", math.floor(5 + #stats + bar_length / 2))
  out[#out + 1] = " " .. current .. "/" .. goal .. " "
  if percent == bar_length then
    state.done = true
    out[#out + 1] = "\n"
  end
  out[#out + 1] = "\r"
  show(current, goal, table.concat(out))
end
