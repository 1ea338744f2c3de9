"""Shared memory with a server on this machine (bridge/PROTOCOL.md §5.4, client/shared.py):
the handshake, arrays and tensors over the same pages, and ext 5 values the server must
refuse with a clear error while it keeps serving."""

from __future__ import annotations

import fcntl
import os
import struct

import msgpack
import numpy as np
import pytest
from conftest import marshal_stats as stats

import client
from client.errors import RemoteError
from client.shared import EXT_SHARED


@pytest.fixture(scope="module")
def lua(identity_lua):
    return identity_lua


def ext4(code, shape, pid, fd, inode, offset, flags=2) -> msgpack.ExtType:
    return msgpack.ExtType(EXT_SHARED, struct.pack(f">BBB{len(shape)}Q", code, flags, len(shape), *shape)
                           + struct.pack(">IIQQ", pid, fd, inode, offset))


def test_a_shared_array_and_its_tensor_are_the_same_memory(lua):
    a = lua.shared_array((300, 400), "float32")
    assert lua._shared.attached
    a[:] = np.arange(400, dtype=np.float32)
    before = stats(lua)
    lua.globals.shared_t = a
    assert lua.eval("shared_t:size(1), shared_t:size(2), shared_t[2][400]") == (300, 400, 399)
    lua.execute("shared_t:mul(2)")  # Lua's write shows in the client's array
    assert a[299, 399] == 798
    a[0, 0] = -5  # and the client's in the tensor
    assert lua.eval("shared_t[1][1]") == -5
    back = lua.fetch(lua.globals.shared_t)
    assert np.shares_memory(back, a) and back.shape == (300, 400)
    after = stats(lua)
    assert after == before, "nothing travelled through frames"


def test_views_of_shared_arrays_and_every_dtype(lua):
    identity = lua.globals.identity
    for dtype in ["uint8", "int8", "int16", "int32", "int64", "float32", "float64", "float16"]:
        a = lua.shared_array((50, 60), dtype)
        a[:] = (np.arange(3000) % 100).reshape(50, 60)
        row = a[7]  # a contiguous view at an offset inside the memory
        back = lua.fetch(identity(row))
        np.testing.assert_array_equal(back, row)
        assert np.shares_memory(back, a)
        column = a[:, 3]  # not contiguous: goes by value
        back = lua.fetch(identity(column))
        np.testing.assert_array_equal(back, column)
        assert not np.shares_memory(back, a)


def test_a_shared_tensor_resized_beyond_its_memory_moves_out(lua):
    a = lua.shared_array(1000, "float64")
    a[:] = 1
    lua.globals.grown = a
    lua.execute("grown:resize(5000):narrow(1, 1001, 4000):fill(2)")
    back = lua.fetch(lua.globals.grown)
    assert back.shape == (5000,) and back[:1000].sum() == 1000 and back[1000:].sum() == 8000
    assert not np.shares_memory(back, a)
    a[:] = 9  # no longer the tensor's memory
    assert lua.eval("grown[1]") == 1


def test_the_server_memory_outlives_the_client_array(lua):
    a = lua.shared_array(100000, "int32")
    a[:] = 7
    lua.globals.kept_shared = a
    del a  # the client's mapping and memfd go; the server's mapping stays
    import gc
    gc.collect()
    back = lua.fetch(lua.globals.kept_shared)  # mapped again from the server's memfd
    assert back.shape == (100000,) and (back == 7).all()
    lua.execute("kept_shared:fill(8)")
    assert (back == 8).all()


def test_turned_off_arrays_go_by_value(lua):
    lua.shared_memory = False
    try:
        a = lua.shared_array(10)
        assert isinstance(a, np.ndarray) and a.shape == (10,)
        b = lua._shared.array(100000, "float64")  # a shared array, sent while turned off
        before = stats(lua)
        back = lua.fetch(lua.globals.identity(b))
        assert stats(lua)["received_zero_copy"] == before["received_zero_copy"] + b.nbytes
        assert not np.shares_memory(back, b)
    finally:
        lua.shared_memory = True


def test_a_client_that_did_not_attach_cannot_name_memory():
    with client.connect() as other:
        with pytest.raises(RemoteError, match="did not attach"):
            other.globals.identity = ext4(7, (4,), os.getpid(), 0, 0, 0)
        assert other.eval("1 + 1") == 2


def test_the_handshake_fails_with_the_wrong_nonce(lua):
    nonce = lua.request("shm_nonce")
    fd = os.memfd_create("probe")
    os.write(fd, b"x" * len(nonce))
    try:
        answer = lua.request("shm_attach", pid=os.getpid(), fd=fd)
    finally:
        os.close(fd)
    assert answer[0] is False and "same machine" in answer[1]
    with pytest.raises(RemoteError, match="shm_attach before shm_nonce"):
        lua.request("shm_attach", pid=os.getpid(), fd=0)
    lua._shared.attached = None  # attach again for the tests that follow
    assert lua._shared.attach()


def test_bad_shared_memory_values_are_refused_and_the_server_lives(lua, tmp_path):
    lua.shared_array(1)  # attached
    pid = os.getpid()
    unsealed = os.memfd_create("unsealed")
    os.ftruncate(unsealed, 4096)
    small = os.memfd_create("small", os.MFD_ALLOW_SEALING)
    os.ftruncate(small, 4096)
    fcntl.fcntl(small, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    plain = tmp_path / "plain"
    plain.write_bytes(b"\0" * 4096)
    plain_fd = os.open(plain, os.O_RDWR)
    read_end, write_end = os.pipe()
    ino = lambda fd: os.fstat(fd).st_ino  # noqa: E731
    cases = [
        (ext4(7, (4,), pid + 1, small, ino(small), 0), "but this client is process"),
        (ext4(7, (4,), pid, 999999, 1, 0), "cannot open /proc/"),
        (ext4(7, (4,), pid, small, ino(small) + 1, 0), "inode differs"),
        (ext4(7, (4,), pid, unsealed, ino(unsealed), 0), "not a memfd sealed"),
        (ext4(7, (4,), pid, plain_fd, ino(plain_fd), 0), "not a memfd sealed"),
        (ext4(7, (4,), pid, read_end, ino(read_end), 0), "not a memory file"),
        (ext4(7, (1000,), pid, small, ino(small), 0), "smaller than the tensor"),
        (ext4(7, (4,), pid, small, ino(small), 4072), "smaller than the tensor"),
        (ext4(7, (4,), pid, small, ino(small), 4), "not a multiple of 8"),
        (ext4(7, (4,), pid, small, ino(small), 0, flags=1), "flags must be 2"),
        (ext4(9, (4,), pid, small, ino(small), 0), "unknown tensor dtype"),
        (msgpack.ExtType(EXT_SHARED, b"\x07\x02"), "shorter than"),
        (msgpack.ExtType(EXT_SHARED, b"\x07\x02\x01" + b"\0" * 8), "expected"),
    ]
    try:
        for value, message in cases:
            with pytest.raises(RemoteError, match=message) as info:
                lua.globals.identity(value)
            assert info.value.ename == "ProtocolError"
            assert lua.eval("1 + 1") == 2
    finally:
        for fd in (unsealed, small, plain_fd, read_end, write_end):
            os.close(fd)
    good = lua.shared_array(4)
    good[:] = 5
    assert lua.eval("function(t) return t:sum() end")(good) == 20


def test_shared_memory_and_big_frames_with_a_sessions_server():
    from conftest import ServerProcess

    server = ServerProcess()  # sessions: each connection's Lua state in a forked worker
    try:
        with client.connect(server.endpoint) as conn:
            a = conn.shared_array(100000, "float64")
            a[:] = 2
            conn.globals.t = a
            conn.execute("t:add(1)")
            assert (a == 3).all()
            assert np.shares_memory(conn.fetch(conn.globals.t), a)
            big = np.arange(100000.0)
            np.testing.assert_array_equal(conn.fetch(conn.eval("function(x) return x end")(big)), big)
    finally:
        server.stop()


def test_a_pipelined_call_keeps_its_shared_array_until_the_server_has_it(lua):
    import gc

    total = lua.eval("function(t) return t:sum() end")
    with lua.pipeline():
        results = []
        for i in range(20):
            a = lua.shared_array(50000, "float64")
            a[:] = i
            results.append(total(a))
            del a
            gc.collect()  # the caller's array is gone; the request still holds it
    assert [r.value for r in results] == [50000.0 * i for i in range(20)]


def test_many_tensors_over_one_array_share_one_mapping(lua):
    open_fds = lua.eval("function() local n = 0; for _ in io.popen('ls /proc/self/fd'):lines() do "
                        "n = n + 1 end; return n end")
    a = lua.shared_array(1000, "float64")
    keep = lua.eval("function(t) kept_views = kept_views or {}; table.insert(kept_views, t) end")
    before = open_fds()
    for _ in range(200):
        keep(a)  # 200 live tensors over the array
    assert open_fds() - before <= 1
    assert lua.eval("#kept_views") == 200
    a[3] = 42
    assert lua.eval("kept_views[200][4] + kept_views[1][4]") == 84
    lua.execute("kept_views = nil; collectgarbage(); collectgarbage()")
    assert open_fds() <= before


def test_a_read_only_view_of_a_shared_array_goes_by_value(lua):
    a = lua.shared_array(100000, "float64")
    view = a[:]
    view.setflags(write=False)
    lua.globals.from_read_only = view
    lua.execute("from_read_only:fill(1)")
    assert (a == 0).all()


def test_the_client_maps_nothing_a_server_it_did_not_attach_to_names():
    from bridge import codec
    from client.shared import SharedMemory

    memory = SharedMemory(None, codec._DTYPE_CODES, codec.CODE_DTYPES)
    payload = ext4(7, (4,), os.getpid(), 0, 0, 0).data
    with pytest.raises(ValueError, match="did not attach"):
        memory.array_from(payload)
    memory.attached = True  # attached, but the named file is no memfd (a tty, a pipe, ...)
    read_end, write_end = os.pipe()
    try:
        with pytest.raises(ValueError, match="not shared memory"):
            memory.array_from(ext4(7, (4,), os.getpid(), read_end, os.fstat(read_end).st_ino, 0).data)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_torch7_result_arguments_write_into_a_shared_array(lua):
    torch = lua.require("torch")
    a = lua.shared_array((64, 32), "float64")
    b = lua.shared_array((32, 16), "float64")
    out = lua.shared_array((64, 16), "float64")
    rng = np.random.default_rng(3)
    a[:], b[:] = rng.random((64, 32)), rng.random((32, 16))
    torch.mm(out, a, b)  # Torch7's res form: the result lands in the client's array
    np.testing.assert_allclose(out, a @ b, rtol=1e-12)


def test_shared_arrays_in_a_pipeline_travel_as_references(lua):
    lua.execute("function scale_in_place(t, v) t:mul(v) end")
    a = lua.shared_array((300, 400), "float32")
    a[:] = 1
    before = stats(lua)
    with lua.pipeline():
        pendings = [lua.globals.scale_in_place(a, 2) for _ in range(5)]
        rows = lua.globals.identity(a)  # a result the next wait gives back as a view
    assert a[0, 0] == 32 and a[299, 399] == 32  # every call changed the client's memory
    assert stats(lua) == before, "nothing travelled through frames"
    assert all(p._kept is None for p in pendings), "arrays are let go once their reply came"
    assert np.shares_memory(lua.fetch(rows.value), a)
