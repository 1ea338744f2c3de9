"""Batches and promises on the wire (PROTOCOL.md §2.7): malformed ones get clear errors, the
server never stops, and a promise can only name the sending client's own results."""

from __future__ import annotations

import msgpack
import pytest
from conftest import ServerProcess
from test_fuzz import dealer

from bridge import codec


@pytest.fixture(scope="module")
def shared_server():
    server = ServerProcess(["--shared"])  # one Lua state: clients differ only by connection
    yield server
    server.stop()


def request(request_id: int, op: str, **fields) -> bytes:
    header = {"v": 1, "id": request_id, "op": op, **fields}
    return codec.encode_message(header)[0]


def exchange(sock, frames: list) -> list[dict]:
    """Send one message; the replies it gets (a batch reply unpacked), until a ping answers."""
    sock.send_multipart(frames)
    sock.send_multipart([request(2**40, "ping")])
    replies = []
    while True:
        assert sock.poll(10000), "the server stopped answering"
        header = codec.decode_message(sock.recv_multipart())
        if header.get("op") == "batch":
            replies += [codec.decode_message([r]) for r in codec.batch_replies(header)]
        elif header.get("id") == 2**40:
            assert header["status"] == "ok"
            return replies
        else:
            replies.append(header)


def promise(request_id: int, index: int | None = None) -> codec.Promise:
    return codec.Promise(request_id, index)


def test_a_batch_is_answered_in_one_message_in_order(shared_server):
    sock = dealer(shared_server.endpoint)
    sock.send_multipart(codec.encode_batch([request(1, "eval", code="1 + 1"),
                                            request(2, "eval", code="error('second')"),
                                            request(3, "eval", code="'third'")]))
    assert sock.poll(10000)
    frames = sock.recv_multipart()
    assert len(frames) == 1
    replies = [codec.decode_message([r]) for r in codec.batch_replies(codec.decode_message(frames))]
    assert [r["id"] for r in replies] == [1, 2, 3]
    assert replies[0]["values"] == [2] and replies[2]["values"] == ["third"]
    assert replies[1]["status"] == "error" and "second" in replies[1]["evalue"]
    assert "stack traceback" in replies[1]["traceback"]


def test_promises_resolve_to_results_and_indices(shared_server):
    sock = dealer(shared_server.endpoint)
    replies = exchange(sock, codec.encode_batch([
        request(1, "eval", code="10, 20, 30"),
        request(2, "eval", code="torch.Tensor(3):fill(1)"),
        request(3, "method", target=promise(2), name="sum", args=[]),
        request(4, "call", target=promise(5), args=[]),  # a later request: not kept yet
        request(5, "eval", code="function(...) return select('#', ...), ... end"),
        request(6, "call", target=promise(5), args=[promise(1, 2), promise(1)]),
    ]))
    by_id = {r["id"]: r for r in replies}
    assert by_id[3]["values"] == [3]
    assert by_id[4]["ename"] == "PromiseBroken"
    assert by_id[6]["values"] == [2, 20, [10, 20, 30]]  # an index picks one; none, them all


@pytest.mark.parametrize("frames,needle", [
    ([msgpack.packb({"v": 1, "op": "batch"})], "a batch needs `requests`"),
    ([msgpack.packb({"v": 1, "op": "batch", "requests": "x"})], "a batch needs `requests`"),
    ([msgpack.packb({"v": 1, "op": "batch", "requests": []}), b"\0" * 8], "an empty batch"),
], ids=["no requests", "requests not an array", "empty with data"])
def test_malformed_batches_get_a_protocol_error(shared_server, frames, needle):
    replies = exchange(dealer(shared_server.endpoint), frames)
    assert len(replies) == 1 and replies[0]["ename"] == "ProtocolError"
    assert needle in replies[0]["evalue"] and "id" not in replies[0]


def test_bad_requests_inside_a_batch_fail_alone(shared_server):
    nested = msgpack.packb({"v": 1, "id": 8, "op": "batch", "requests": [request(9, "eval", code="1")]})
    replies = exchange(dealer(shared_server.endpoint), codec.encode_batch([
        5, b"\xc1", nested,
        request(10, "call", target=msgpack.ExtType(4, b"12345"), args=[]),
        request(11, "eval", code="'still here'"),
    ]))  # type: ignore[list-item]
    assert [r.get("id") for r in replies] == [None, None, 8, 10, 11]
    assert "request 1 of the batch is a number" in replies[0]["evalue"]
    assert replies[1]["ename"] == "ProtocolError"
    assert "cannot hold another batch" in replies[2]["evalue"]
    assert replies[3]["ename"] == "ProtocolError" and "8-byte request id" in replies[3]["evalue"]
    assert replies[4]["values"] == ["still here"]


def test_a_promise_never_reaches_another_clients_results(shared_server):
    owner, other = dealer(shared_server.endpoint), dealer(shared_server.endpoint)
    mine = exchange(owner, codec.encode_batch([request(77, "eval", code="torch.Tensor(2)")]))
    assert mine[0]["status"] == "ok"  # kept for owner, not acknowledged
    theirs = exchange(other, codec.encode_batch([
        request(78, "method", target=promise(77), name="size", args=[])]))
    assert theirs[0]["ename"] == "PromiseBroken"
    assert "no result of request 77 is kept here" in theirs[0]["evalue"]
    # done applies once the request is decoded, as release does: its own promises still resolve
    last = exchange(owner, [request(79, "method", target=promise(77), name="nDimension", args=[],
                                    done=[77])])
    assert last[0]["values"] == [1]
    gone = exchange(owner, [request(80, "method", target=promise(77), name="nDimension", args=[])])
    assert gone[0]["ename"] == "PromiseBroken"


def test_fuzzed_batches_never_stop_the_server(shared_server):
    import random

    from test_fuzz import Fuzzer

    sock = dealer(shared_server.endpoint)
    sock.send_multipart([request(1, "require", name="torch")])
    assert sock.poll(10000)
    ref_payload = codec.decode_message(sock.recv_multipart())["values"][0]
    fuzzer = Fuzzer(4321, codec.pack_ref(ref_payload))
    rng = random.Random(4321)
    for _ in range(40):
        entries = []
        for _ in range(rng.randint(0, 6)):
            req = fuzzer.request()
            req["done"] = fuzzer.value() if rng.random() < 0.3 else [rng.randint(0, 50)]
            if rng.random() < 0.3:
                req["target"] = msgpack.ExtType(4, rng.randbytes(rng.choice([8, 12, 3])))
            entries.append(rng.choice([msgpack.packb(req, use_bin_type=True), rng.randbytes(9),
                                       fuzzer.scalar()]))
        head = msgpack.packb({"v": 1, "op": "batch", "requests": entries,
                              "release": [fuzzer.value()]}, use_bin_type=True)
        extra = [rng.randbytes(8)] if rng.random() < 0.2 else []
        exchange(sock, [head, *extra])  # every message answered, then the ping
    assert shared_server.proc.poll() is None
