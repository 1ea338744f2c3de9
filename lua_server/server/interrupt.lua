-- Interrupting a running request (PROTOCOL.md §2.4): a client's `interrupt` message must be
-- seen while Lua code runs, and must stop that code even inside a JIT-compiled loop.
--
-- How (measured on LuaJIT 2.1): LuaJIT's profiler (jit.profile, mode "l") compiles a check
-- into every trace, so its callback runs every 10 ms of CPU time even in compiled loops.
-- The callback polls the socket; an interrupt for the running request turns the JIT off and
-- flushes the traces, so execution continues in the interpreter, where the count hook
-- (set once, at install) raises `Interrupted`. It keeps raising until the request has
-- ended, so a pcall in user code cannot swallow it. The JIT is turned back on afterwards.
-- A callback cannot set the hook itself: LuaJIT restores the hook mask after it returns.
-- Not covered: a single long C call (one ATen kernel) runs to its end first.
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local errors = require "server.errors"

local jit, debug_sethook, running = jit, debug.sethook, coroutine.running
local type, pcall, rawget = type, pcall, rawget

local _M = { HOOK_COUNT = 100000, MAX_BACKLOG = 1000, MAX_EARLY = 1000 }

local server        -- the one server of this process
local cancel = false     -- an interrupt is pending for the innermost running request
local delivered = false  -- ...and has reached the request's own error handler
local profiler_thread

local function hook()
  if cancel and not delivered and server.in_lua and running() ~= profiler_thread
    and not errors.handling then
    -- from now on at every instruction, so that a pcall catching this one is struck again
    -- as soon as it returns
    debug_sethook(hook, "", 1)
    error({ ename = "Interrupted", evalue = "interrupted by the client" }, 0)
  end
end

local function key(identity, id) return identity .. "\0" .. tostring(id) end

-- An interrupt message: {op = "interrupt", request = id}. Stops that request if it runs
-- now; otherwise remembers it, so that the request is refused if it starts later.
function _M.receive(identity, req)
  local target = errors.valid_id(rawget(req, "request"))
  if target == nil then return end
  local active = server.active
  for i = server.active_n, 1, -1 do
    if active[i].identity == identity and active[i].id == target then
      if not cancel then
        cancel = true
        jit.off()
        jit.flush()
      end
      return
    end
  end
  if server.early_count >= _M.MAX_EARLY then server.early, server.early_count = {}, 0 end
  server.early[key(identity, target)] = true
  server.early_count = server.early_count + 1
end

-- Whether a request was interrupted before it started (and forget that it was).
function _M.take_early(identity, id)
  if server.early_count == 0 then return false end  -- the usual case: no string to build
  local k = key(identity, id)
  if server.early[k] then
    server.early[k] = nil
    server.early_count = server.early_count - 1
    return true
  end
  return false
end

-- Read what is waiting on one socket while Lua code runs: interrupts act at once, other
-- messages wait in the backlog that serve_next empties first (each with its socket).
local function drain_socket(sock)
  local backlog = server.backlog
  while #backlog < _M.MAX_BACKLOG do
    local ready = zmq.poll_in(sock, 0)
    if not ready then return end
    local frames = zmq.recv_multipart(sock, zmq.DONTWAIT)
    if not frames then return end
    local ok, req = false, nil
    if #frames >= 2 and frames[2].size < 256 then
      ok, req = pcall(mp.decode, zmq.frame_string(frames[2]))
    end
    if ok and type(req) == "table" and rawget(req, "op") == "interrupt" then
      _M.receive(zmq.frame_string(frames[1]), req)
      zmq.release(frames)
    else
      frames.sock = sock
      backlog[#backlog + 1] = frames
    end
  end
end

-- Every socket requests come by (a session worker has two: loop.lua); and a ZAP request
-- is answered, so that a client joining a busy session's direct socket is let in meanwhile.
local function drain()
  local inputs = server.inputs or { server.sock }
  for i = 1, #inputs do drain_socket(inputs[i]) end
  if server.guard then server.guard:serve_zap() end
end

local function on_sample()
  profiler_thread = running()
  if server.in_lua and not cancel then
    local ok, problem = pcall(drain)
    if not ok then io.stderr:write("luatorch-server: interrupt check: ", errors.describe(problem), "\n") end
  end
end

-- The request's error handler (serve.lua's xpcall) was reached: the interrupt is done,
-- whatever error the user's code made of it on the way.
local function on_request_error(fields)
  if cancel then
    delivered = true
    if fields.ename ~= "Interrupted" then
      fields.ename, fields.evalue = "Interrupted", "interrupted by the client (" .. fields.evalue .. ")"
    end
  end
end

function _M.install(the_server)
  server = the_server
  errors.on_request_error = on_request_error
  -- active[1..active_n]: the requests running now, innermost last; the records stay for
  -- reuse (a table per request is garbage the collector has to chase)
  server.active, server.active_n, server.backlog, server.in_lua = {}, 0, {}, false
  server.early, server.early_count = {}, 0
  local ok, profile = pcall(require, "jit.profile")
  if not ok then return false end
  profile.start("li10", on_sample)
  -- The count hook stays set for the server's life and acts only while an interrupt is
  -- pending: setting and clearing it around every request raced the profiler's signal
  -- handler, which updates the same dispatch state, and left the VM spinning now and then.
  debug_sethook(hook, "", _M.HOOK_COUNT)
  return true
end

-- Request `id` of `identity` starts running Lua code: it can be interrupted from now on.
-- Returns a token for leave(), which must follow whether the request succeeded or not.
function _M.enter(identity, id)
  local n = server.active_n + 1
  local record = server.active[n]
  if record then
    record.identity, record.id = identity, id
  else
    server.active[n] = { identity = identity, id = id }
  end
  server.active_n = n
  local token = server.in_lua
  server.in_lua = true
  return token
end

function _M.leave(token)
  local n = server.active_n
  server.active[n].identity = nil  -- (the id is a number: nothing held)
  server.active_n = n - 1
  server.in_lua = token
  if n == 1 and cancel then
    cancel, delivered = false, false
    debug_sethook(hook, "", _M.HOOK_COUNT)  -- back from every instruction to the count
    jit.on()
  end
end

-- Socket work from inside a request (a Python callback) must not race the sampler.
function _M.outside_lua(f, ...)
  local was = server.in_lua
  server.in_lua = false
  local ok, a, b = pcall(f, ...)
  server.in_lua = was
  if not ok then error(a, 0) end
  return a, b
end

return _M
