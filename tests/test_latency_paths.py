"""The lean waits of issue 10: the server reads its disconnect monitor only when a wait
times out or once a second while messages keep coming, and the client looks at the
connection only between receive slices. What is noticed must still be noticed."""

from __future__ import annotations

import time

from conftest import ServerProcess

import client


def test_a_crashed_client_is_forgotten_while_another_keeps_a_shared_server_busy():
    server = ServerProcess(["--shared"])
    try:
        busy = client.connect(server.endpoint)
        crashing = client.connect(server.endpoint)
        crashing.require("torch").Tensor(1000)
        assert busy.ping()["clients"] == 2
        crashing._monitor.close(0)  # the process "dies": no close request
        crashing._sock.close(0)
        crashing.closed = True
        # the busy client never lets the server idle for the 1 s its waits last
        deadline = time.monotonic() + 5
        clients = 2
        while clients != 1 and time.monotonic() < deadline:
            for _ in range(20):
                assert busy.eval("return 1") == 1
            clients = busy.ping()["clients"]
        assert clients == 1
        busy.close()
    finally:
        server.stop()


def test_a_reply_that_takes_several_receive_slices_arrives(lua):
    # 0.35 s of Lua: the client's blocking receives time out (0.1 s slices) and it checks
    # the connection in between, which must not be taken for a lost one
    code = "(function() local t = os.clock() while os.clock() - t < 0.35 do end return 7 end)()"
    assert lua.eval(code) == 7
    assert lua.eval("return 1") == 1


def test_a_new_connection_is_not_taken_for_an_earlier_one_that_had_its_fd():
    # the server reads its disconnect monitor lazily; the kernel gives a new connection the
    # lowest free fd, often the one a connection that just went away had. Its disconnect
    # must be settled before the new connection counts as that fd's owner.
    server = ServerProcess(["--shared"])
    try:
        for _ in range(3):
            gone = client.connect(server.endpoint)
            gone.eval("return 1")
            gone._monitor.close(0)  # the process "dies": no close request
            gone._sock.close(0)
            gone.closed = True
            time.sleep(0.2)  # the server has closed that connection's fd by now
            fresh = client.connect(server.endpoint)
            t = fresh.eval("torch.Tensor(3):fill(7)")
            time.sleep(1.2)  # an idle wait: the server reads its monitor
            assert t.sum() == 21  # still this client's tensor, not dropped as the old one's
            fresh.close()
    finally:
        server.stop()
