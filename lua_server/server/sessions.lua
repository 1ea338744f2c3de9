-- Sessions (--sessions): every client connection gets a Lua state of its own, in a worker
-- process forked from this warm parent (the runtime is loaded, no ATen op has run, so no
-- thread pool exists yet). The parent keeps the one public socket: it authenticates
-- (ZAP), forwards each client's frames to its worker over a private ipc PAIR socket
-- without copying them, and the worker's replies back. Once its worker is up, a client
-- that asks moves to the worker's own socket (direct.lua) and its calls no longer cross
-- the parent; forwarding stays for the others (--no-direct, a port the client cannot
-- reach). Clients that name a session (`session` in their first message) share that
-- session's worker. A worker that dies takes down its own session only: its clients get a
-- `session_lost` message naming why (by the parent's socket, which they keep).
local ffi = require "ffi"
local zmq = require "server.zmq"
local mp = require "server.msgpack"
local wire = require "server.wire"
local loop = require "server.loop"
local direct = require "server.direct"

local C = ffi.C
local pairs, next, type, format, pcall, rawget = pairs, next, type, string.format, pcall, rawget

ffi.cdef [[
int fork(void);
int waitpid(int pid, int *status, int options);
int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
void _exit(int status);
char *mkdtemp(char *template);
int rmdir(const char *path);
int unlink(const char *path);
]]

local _M = { MAX_NAME = 64, QUEUE = 100000 }
local BURST, REAP_S = 64, 0.1
local clock = require("sys").clock

local WNOHANG, PR_SET_PDEATHSIG, SIGKILL = 1, 1, 9
local SIGNALS = { [2] = "SIGINT", [4] = "SIGILL", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
  [9] = "SIGKILL", [11] = "SIGSEGV", [13] = "SIGPIPE", [15] = "SIGTERM" }

local function describe_status(status)
  local signal = status % 128
  if signal ~= 0 and signal ~= 127 then
    return format("killed by signal %d (%s)", signal, SIGNALS[signal] or "?")
  end
  return format("exited with code %d", math.floor(status / 256) % 256)
end

-- The worker side: never returns. direct_endpoint: where it binds its own socket, or nil.
local function become_worker(opts, endpoint, epoch, direct_endpoint, guard)
  C.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)  -- die with the parent
  local ctx = zmq.context()  -- the parent's context must not be used after fork
  local pair = zmq.socket(ctx, zmq.PAIR)
  zmq.setsockopt_int(pair, zmq.LINGER, 2000)
  zmq.connect(pair, endpoint)
  local own, err
  if direct_endpoint then
    own, err = direct.open(ctx, direct_endpoint, opts, guard)
    -- without it the session is served as before, through the parent
    if not own then io.stderr:write("luatorch-server: no direct socket: ", tostring(err), "\n") end
  end
  local worker_opts = setmetatable({ parent_pid = false }, { __index = opts })
  local server = loop.new(worker_opts, pair, { epoch = epoch, direct = own and own.sock,
    monitor = own and own.monitor, guard = own and own.guard })
  server.direct_endpoint = own and own.endpoint
  -- the last client gone (by either socket): the parent, which routes newcomers, says
  -- whether to end (an `end` control message, loop.lua)
  function server.on_client_gone()
    if next(server.clients) == nil then zmq.send_multipart(pair, { "", "idle" }, zmq.DONTWAIT) end
  end
  while server.serve_next(1000) do end
  if server.shutdown_requested then zmq.send_multipart(pair, { "", "shutdown" }) end
  if own then direct.close(own) end
  zmq.close(pair)
  zmq.term(ctx)
  C._exit(0)
end

-- The session a client's first message asks for: its `session` name, or a private one.
local function session_name(frames, identity)
  if #frames >= 2 and frames[2].size <= 65536 then
    local ok, header = pcall(mp.decode, zmq.frame_string(frames[2]))
    local name = ok and type(header) == "table" and rawget(header, "session")
    if type(name) == "string" and #name >= 1 and #name <= _M.MAX_NAME then return "named:" .. name end
  end
  return "private:" .. identity
end

-- A fresh 0700 directory (mkdtemp) for one worker's socket, or nil.
local function private_dir()
  local template = ffi.new("char[64]", "/tmp/luatorch-session-XXXXXX")
  if C.mkdtemp(template) == nil then return nil end
  return ffi.string(template)
end

function _M.run(ctx, sock, opts, extra)
  local monitor = zmq.monitor_disconnects(ctx, sock, "luatorch-monitor")
  local guard = extra.guard
  local sessions, by_identity, by_pid, fds = {}, {}, {}, {}
  local count, reaped, running = 0, 0, true

  local function notify_lost(identity, why)
    local header = mp.encode({ v = wire.VERSION, op = "session_lost", reason = why })
    zmq.send_multipart(sock, { identity, header })
  end

  local function start(name)
    count = count + 1
    local dir = private_dir()
    if not dir then return nil, "cannot create a directory for the session's socket" end
    local endpoint = format("ipc://%s/s", dir)
    local pair = zmq.socket(ctx, zmq.PAIR)
    zmq.setsockopt_int(pair, zmq.LINGER, 0)
    zmq.setsockopt_int(pair, zmq.SNDTIMEO, 10000)  -- a worker that never connects
    zmq.setsockopt_int(pair, zmq.SNDHWM, _M.QUEUE)
    local ok, err = zmq.bind(pair, endpoint)
    if not ok then zmq.close(pair); C.rmdir(dir); return nil, err end
    local direct_endpoint = not opts.no_direct and extra.endpoint
      and direct.endpoint_for(extra.endpoint, count) or nil
    local pid = C.fork()
    if pid == 0 then
      become_worker(opts, endpoint, extra.epoch .. "-" .. count, direct_endpoint, guard)
    end
    if pid < 0 then zmq.close(pair); C.unlink(endpoint:sub(7)); C.rmdir(dir); return nil, "fork failed" end
    local session = { name = name, pid = pid, sock = pair, identities = {}, endpoint = endpoint,
      dir = dir, direct_path = direct.ipc_path(direct_endpoint) }
    sessions[name], by_pid[pid] = session, session
    return session
  end

  local function drop(session, why)
    for identity in pairs(session.identities) do
      if why then notify_lost(identity, why) end
      by_identity[identity], fds[identity] = nil, nil
    end
    if sessions[session.name] == session then sessions[session.name] = nil end
    by_pid[session.pid] = nil
    zmq.close(session.sock)
    if session.dir then C.unlink(session.endpoint:sub(7)); C.rmdir(session.dir) end
    -- a worker that was killed left its socket file beside the public one
    if session.direct_path then C.unlink(session.direct_path) end
  end

  -- A worker whose clients are all gone says so (`idle`); once no client of the session is
  -- connected here either, newcomers naming it get a new worker, and this one is told to
  -- end. Deciding here, where every newcomer arrives, means no newcomer's first message
  -- can reach a worker that is ending: what came before `end` is served first (a PAIR
  -- keeps order), and nothing is routed to it after.
  local function end_if_idle(session)
    if session.idle and next(session.identities) == nil then
      session.idle = false
      if sessions[session.name] == session then sessions[session.name] = nil end
      zmq.send_multipart(session.sock, { "", "end" }, zmq.DONTWAIT)
    end
  end

  local disconnected  -- (below) what the monitor says of connections that went away

  local function from_client(frames)
    local identity = zmq.frame_string(frames[1])
    local session = by_identity[identity]
    if not session then
      local name = session_name(frames, identity)
      session = sessions[name]
      if not session then
        local err
        if count - reaped >= opts.max_sessions then
          session, err = nil, format("%d sessions are running, the limit (--max-sessions)",
            opts.max_sessions)
        else
          session, err = start(name)
        end
        if not session then
          zmq.release(frames)
          notify_lost(identity, "the server could not start a session: " .. tostring(err))
          return
        end
      end
      session.identities[identity], by_identity[identity] = true, session
      session.idle = false  -- (a newcomer keeps it)
    end
    if #frames > 1 then
      local fd = zmq.source_fd(frames[2])
      -- a connection new to this identity: disconnects reported before it (one may be of an
      -- earlier connection that had the same fd number) are handled first, or they would be
      -- taken for this one
      if fds[identity] ~= fd then disconnected() end
      fds[identity] = fd
    end
    -- the first message waits for the new worker to connect; later ones never block the
    -- parent (every other session's traffic goes through it): a worker QUEUE messages
    -- behind loses what comes on top, as a ROUTER would
    if session.connected then
      if not zmq.forward(frames, session.sock, 1, zmq.DONTWAIT) then
        io.stderr:write("luatorch-server: session ", session.name, " is ", _M.QUEUE,
          " messages behind; dropped one\n")
      end
    else
      session.connected = zmq.forward(frames, session.sock)
      if session.connected then
        -- the worker is connected: its socket's name is no longer needed, and so nothing
        -- is left in /tmp should the parent be killed
        C.unlink(session.endpoint:sub(7))
        C.rmdir(session.dir)
        session.dir = nil
      end
    end
  end

  -- one waiting message of the worker on to its client; false when none was waiting
  local function from_worker(session)
    local frames = zmq.recv_multipart(session.sock, zmq.DONTWAIT)
    if not frames then return false end
    if frames[1].size == 0 then
      local what = frames[2] and zmq.frame_string(frames[2])
      if what == "shutdown" then running = false end
      if what == "idle" then
        session.idle = true
        end_if_idle(session)
      end
      zmq.release(frames)
      return true
    end
    zmq.forward(frames, sock)
    return true
  end

  function disconnected()
    while true do
      local fd = zmq.read_disconnect(monitor)
      if fd == nil then return end
      for identity, ifd in pairs(fds) do
        if fd and ifd == fd then
          local session = by_identity[identity]
          if session then
            -- never waiting: a PAIR whose worker has ended would block the parent
            zmq.send_multipart(session.sock, { "", "gone", identity }, zmq.DONTWAIT)
            session.identities[identity], by_identity[identity] = nil, nil
            end_if_idle(session)
          end
          fds[identity] = nil
        end
      end
    end
  end

  local status = ffi.new("int[1]")
  local function reap()
    while true do
      local pid = C.waitpid(-1, status, WNOHANG)
      if pid <= 0 then return end
      local session = by_pid[pid]
      if session then
        reaped = reaped + 1
        local how = describe_status(status[0])
        local why = status[0] ~= 0 and format("the session's worker (pid %d) %s", pid, how) or nil
        if why then io.stderr:write("luatorch-server: session ", session.name, ": ", why, "\n") end
        drop(session, why or format("the session's worker (pid %d) ended", pid))
      end
    end
  end

  -- Every message crosses this loop twice (client -> worker -> client), so a turn moves
  -- what is waiting on each ready socket, up to BURST messages, before polling again, and
  -- exited workers are looked for (waitpid) on idle turns or every REAP_S seconds.
  local socks, list, n = {}, {}, 0
  local reaped_at = clock()
  local function turn(ready)
    if ready[3] and guard then guard:serve_zap() end
    if ready[2] then disconnected() end
    if ready[1] then
      for _ = 1, BURST do
        local frames = zmq.recv_multipart(sock, zmq.DONTWAIT)
        if not frames then break end
        from_client(frames)
      end
    end
    for i = 4, n do
      if ready[i] then
        for _ = 1, BURST do
          if not from_worker(list[i]) then break end
        end
      end
    end
    local now = clock()
    if ready[1] == nil or now - reaped_at >= REAP_S then
      reaped_at = now
      reap()
    end
  end
  while running do
    socks[1], socks[2], socks[3] = sock, monitor, guard and guard.zap or monitor
    n = 3
    for _, session in pairs(sessions) do
      n = n + 1
      socks[n], list[n] = session.sock, session
    end
    local ready, err, errno = zmq.poll_many(socks, n, 1000)
    if not ready then
      if errno ~= zmq.EINTR then io.stderr:write("luatorch-server: ", err, "\n"); break end
      ready = {}
    end
    -- no message may stop the parent: every session depends on it
    local ok, problem = pcall(turn, ready)
    if not ok then io.stderr:write("luatorch-server: ", tostring(problem), "\n") end
    if not ready[1] and opts.parent_pid and C.kill(opts.parent_pid, 0) ~= 0 then running = false end
  end
  for _, session in pairs(sessions) do C.kill(session.pid, SIGKILL); drop(session) end
  reap()
  zmq.close(monitor)
end

return _M
