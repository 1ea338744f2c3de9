-- torch.Timer (Torch7's Timer.c): real, user and system time accumulated while running;
-- and torch.tic()/torch.toc(t), wall-clock seconds.
local ffi = require "ffi"
local torch = require "torch.env"

local C = ffi.C
local tonumber, type, error = tonumber, type, error

ffi.cdef [[
typedef struct lt_timespec { long tv_sec; long tv_nsec; } lt_timespec;
typedef struct lt_timeval { long tv_sec; long tv_usec; } lt_timeval;
typedef struct lt_rusage {
  lt_timeval ru_utime;
  lt_timeval ru_stime;
  long ru_fields[14];
} lt_rusage;
int clock_gettime(int clk_id, lt_timespec *tp);
int getrusage(int who, lt_rusage *usage);
]]

local CLOCK_REALTIME, CLOCK_MONOTONIC, RUSAGE_SELF = 0, 1, 0
local ts = ffi.new("lt_timespec")
local ru = ffi.new("lt_rusage")

local function clock(id)
  C.clock_gettime(id, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

-- user and system CPU seconds of this process
local function cpu_times()
  C.getrusage(RUSAGE_SELF, ru)
  return tonumber(ru.ru_utime.tv_sec) + tonumber(ru.ru_utime.tv_usec) * 1e-6,
    tonumber(ru.ru_stime.tv_sec) + tonumber(ru.ru_stime.tv_usec) * 1e-6
end

local Timer = torch.class("torch.Timer")

local function start(self)
  self._start_real = clock(CLOCK_MONOTONIC)
  self._start_user, self._start_sys = cpu_times()
end

function Timer:__init()
  self._running = true
  self._total_real, self._total_user, self._total_sys = 0, 0, 0
  start(self)
end

-- Zero the totals and restart the clock; a stopped timer stays stopped (as in Torch7).
function Timer:reset()
  self._total_real, self._total_user, self._total_sys = 0, 0, 0
  start(self)
  return self
end

function Timer:stop()
  if self._running then
    local user, sys = cpu_times()
    self._total_real = self._total_real + clock(CLOCK_MONOTONIC) - self._start_real
    self._total_user = self._total_user + user - self._start_user
    self._total_sys = self._total_sys + sys - self._start_sys
    self._running = false
  end
  return self
end

function Timer:resume()
  if not self._running then
    self._running = true
    start(self)
  end
  return self
end

function Timer:time()
  if not self._running then
    return { real = self._total_real, user = self._total_user, sys = self._total_sys }
  end
  local user, sys = cpu_times()
  return {
    real = self._total_real + clock(CLOCK_MONOTONIC) - self._start_real,
    user = self._total_user + user - self._start_user,
    sys = self._total_sys + sys - self._start_sys,
  }
end

function Timer:__tostring__()
  return "torch.Timer [status: " .. (self._running and "running" or "stopped") .. "]"
end

function torch.tic()
  return clock(CLOCK_REALTIME)
end

function torch.toc(t)
  if type(t) ~= "number" then
    error("toc: expected the number returned by torch.tic() as argument 1, got " .. type(t), 2)
  end
  return clock(CLOCK_REALTIME) - t
end

return Timer
