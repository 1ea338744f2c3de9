"""numpy arrays in memory the server shares (``bridge/PROTOCOL.md`` §5.4).

``lua.shared_array(shape, dtype)`` allocates an array in a sealed memfd of this process; sent
to a server on the same machine, it arrives as a tensor over the same pages (ext 5 names the
memfd as ``/proc/<pid>/fd/<fd>`` and its inode), and a tensor whose memory is shared comes
back as a view of it. Nothing is copied either way, and writes on one side are seen by the
other. The memory is freed when neither side uses it any longer: a memfd has no name to
leak, so nothing needs unlinking, not even after a crash.
"""

from __future__ import annotations

import fcntl
import math
import mmap
import os
import stat
import struct
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

EXT_SHARED = 5
FLAGS_SHARED = 2
_SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


@dataclass
class _Segment:
    fd: int
    inode: int
    address: int
    size: int
    ref: weakref.ref


def _close_fd(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


class SharedMemory:
    """One connection's shared-memory arrays and the capability handshake."""

    def __init__(self, conn: Any, codes: dict, dtypes: dict) -> None:
        self._conn = conn
        self._codes = codes  # (kind, itemsize) -> dtype code
        self._dtypes = dtypes  # dtype code -> numpy dtype
        self._by_mmap: dict[int, _Segment] = {}  # id(mmap) -> its segment, while it lives
        self._by_inode: dict[int, _Segment] = {}
        self.attached: bool | None = None  # None: not tried yet
        self.refusal = ""

    # -- handshake -------------------------------------------------------------------

    def attach(self) -> bool:
        """Prove to the server that this process shares its machine: write the nonce it
        gives into a memfd that it then reads through /proc. True when it could."""
        if self.attached is not None:
            return self.attached
        nonce = self._conn.request("shm_nonce")
        fd = os.memfd_create("luatorch-probe", os.MFD_CLOEXEC)
        try:
            os.write(fd, nonce.encode())
            answer = self._conn.request("shm_attach", pid=os.getpid(), fd=fd)
        finally:
            os.close(fd)
        if answer is True:
            self.attached = True
        else:
            self.attached = False
            self.refusal = answer[1] if isinstance(answer, tuple) and len(answer) > 1 else str(answer)
        return self.attached

    # -- arrays ----------------------------------------------------------------------

    def array(self, shape: Any, dtype: Any = np.float64) -> np.ndarray:
        """A zero-filled array in a new sealed memfd (see the module docstring)."""
        dtype = np.dtype(dtype)
        if (dtype.kind, dtype.itemsize) not in self._codes or dtype.kind == "b":
            raise TypeError(f"unsupported tensor dtype {dtype}")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        nbytes = math.prod(shape) * dtype.itemsize
        size = max(mmap.PAGESIZE, -(-nbytes // mmap.PAGESIZE) * mmap.PAGESIZE)
        fd = os.memfd_create("luatorch-array", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, size)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _SEALS)
            mm = mmap.mmap(fd, size)
        except BaseException:
            os.close(fd)
            raise
        self._register(mm, fd, size)
        return np.frombuffer(mm, dtype=dtype.newbyteorder("="), count=math.prod(shape)).reshape(shape)

    def _register(self, mm: mmap.mmap, fd: int, size: int) -> _Segment:
        address = np.frombuffer(mm, dtype=np.uint8).ctypes.data
        key = id(mm)
        segment = _Segment(fd, os.fstat(fd).st_ino, address, size, weakref.ref(mm))
        self._by_mmap[key] = segment
        self._by_inode[segment.inode] = segment

        def forget() -> None:
            # the mapping is gone: so is this process's use of the memory
            if self._by_mmap.get(key) is segment:
                del self._by_mmap[key]
            if self._by_inode.get(segment.inode) is segment:
                del self._by_inode[segment.inode]
            _close_fd(fd)

        weakref.finalize(mm, forget)
        return segment

    def payload_for(self, array: np.ndarray) -> bytes | None:
        """The ext 5 payload for an array in one of this process's segments; None for any
        other array (it goes as ext 2, by value)."""
        if not self.attached or not self._by_mmap:
            return None
        base: Any = array
        while isinstance(base, np.ndarray):
            base = base.base
        if isinstance(base, memoryview):
            base = base.obj
        if not isinstance(base, mmap.mmap):
            return None
        segment = self._by_mmap.get(id(base))
        if segment is None or segment.ref() is not base:
            return None
        dt = array.dtype
        code = self._codes.get((dt.kind, dt.itemsize))
        # a read-only view goes by value: Lua could write to shared memory
        if (code is None or dt.kind == "b" or not dt.isnative or not array.flags.c_contiguous
                or not array.flags.aligned or not array.flags.writeable or array.nbytes == 0
                or array.ndim > 64):
            return None
        offset = array.ctypes.data - segment.address
        if offset < 0 or offset + array.nbytes > segment.size:
            return None
        return (struct.pack(f">BBB{array.ndim}Q", code, FLAGS_SHARED, array.ndim, *array.shape)
                + struct.pack(">IIQQ", os.getpid(), segment.fd, segment.inode, offset))

    def sender(self, kept: list) -> Any:
        """:meth:`payload_for` for one request, appending each array it names to ``kept``
        (the request keeps them, so their memory outlives the trip to the server)."""

        def payload(array: np.ndarray) -> bytes | None:
            p = self.payload_for(array)
            if p is not None:
                kept.append(array)
            return p

        return payload

    def array_from(self, payload: bytes) -> np.ndarray:
        """The array an ext 5 value from the server names: a view of this process's own
        mapping when it has the memory mapped, else a new mapping of the server's memfd.
        Refused unless this connection attached (only a local server sends ext 5)."""
        if not self.attached:
            raise ValueError("ext 5 from a server this client did not attach to")
        if len(payload) < 3:
            raise ValueError(f"shared tensor payload is {len(payload)} bytes")
        code, flags, ndim = payload[0], payload[1], payload[2]
        if code not in self._dtypes or flags != FLAGS_SHARED or len(payload) != 3 + 8 * ndim + 24:
            raise ValueError("malformed shared tensor payload")
        shape = struct.unpack_from(f">{ndim}Q", payload, 3)
        pid, fd, inode, offset = struct.unpack_from(">IIQQ", payload, 3 + 8 * ndim)
        dtype = self._dtypes[code].newbyteorder("=")
        count = math.prod(shape)
        segment = self._by_inode.get(inode)
        mm = segment.ref() if segment is not None else None
        if mm is None:
            mm = self._open(pid, fd, inode)
            segment = self._by_mmap[id(mm)]
        if offset % dtype.itemsize or offset + count * dtype.itemsize > segment.size:
            raise ValueError("shared tensor lies outside its memory")
        return np.frombuffer(mm, dtype=dtype, count=count, offset=offset).reshape(shape)

    def _open(self, pid: int, fd: int, inode: int) -> mmap.mmap:
        path = f"/proc/{pid}/fd/{fd}"
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a device or FIFO named
            raise ValueError(f"{path} is not shared memory")
        own = os.open(path, os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK)
        try:
            st = os.fstat(own)
            if st.st_ino != inode or not fcntl.fcntl(own, fcntl.F_GET_SEALS) & fcntl.F_SEAL_SHRINK:
                raise ValueError(f"/proc/{pid}/fd/{fd} is not the shared memory named")
            mm = mmap.mmap(own, st.st_size)
        except BaseException:
            os.close(own)
            raise
        self._register(mm, own, st.st_size)
        return mm
