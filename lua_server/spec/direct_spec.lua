-- server/direct.lua: where a session worker's own socket goes, derived from the public one.
local direct = require "server.direct"

describe("a session worker's direct endpoint", function()
  it("is the public ipc path with the worker's number appended (same 0700 directory)", function()
    expect.eq(direct.endpoint_for("ipc:///run/u/lt/server", 3), "ipc:///run/u/lt/server.session-3")
    expect.eq(direct.endpoint_for("ipc://@luatorch", 12), "ipc://@luatorch.session-12")
  end)

  it("is the public tcp address with a port the system picks", function()
    expect.eq(direct.endpoint_for("tcp://127.0.0.1:5555", 1), "tcp://127.0.0.1:0")
    expect.eq(direct.endpoint_for("tcp://0.0.0.0:5555", 2), "tcp://0.0.0.0:0")
    expect.eq(direct.endpoint_for("tcp://[::1]:5555", 2), "tcp://[::1]:0")
  end)

  it("is nil for other transports", function()
    expect.eq(direct.endpoint_for("inproc://x", 1), nil)
    expect.eq(direct.endpoint_for("tcp://no-port", 1), nil)
  end)

  it("leaves a socket file to remove only for path ipc endpoints", function()
    expect.eq(direct.ipc_path("ipc:///tmp/d/server.3"), "/tmp/d/server.3")
    expect.eq(direct.ipc_path("ipc://@luatorch.3"), nil)
    expect.eq(direct.ipc_path("tcp://127.0.0.1:0"), nil)
    expect.eq(direct.ipc_path(nil), nil)
  end)
end)
