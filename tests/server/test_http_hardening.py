"""``og devnet`` under what the reliability review threw at it: many connections at once, slow
and idle clients, huge and chunked bodies, request smuggling. Raw sockets where the exact bytes
matter; each test also checks the node still answers afterwards. On og devnet's server in a
thread, except where the process is the point: its file limit, its memory, SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.server.conftest import Node, Served, start_node
from tests.server.test_server import rpc

CHAIN_ID = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}'
MINE = b'{"jsonrpc":"2.0","id":2,"method":"evm_mine"}'


def address(node: Node | Served) -> tuple[str, int]:
    parts = urlsplit(node.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def request(body: bytes, *, headers: str = "", length: bool = True) -> bytes:
    head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + headers
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def exchange(node: Node | Served, data: bytes, *, timeout: float = 60) -> bytes:
    """Send raw bytes, read until the node closes the connection."""
    with socket.create_connection(address(node), timeout=timeout) as conn:
        conn.sendall(data)
        out = b""
        while chunk := conn.recv(65536):
            out += chunk
    return out


def answer_to(node: Node | Served, data: bytes) -> bytes:
    """Send raw bytes, read one answer (its head, then Content-Length bytes), without waiting
    for the node to close the connection."""
    with socket.create_connection(address(node), timeout=60) as conn:
        conn.sendall(data)
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += conn.recv(65536) or pytest.fail(f"closed before an answer: {raw!r}")
        head = raw.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
        length = int(head.split("content-length:")[1].split("\r\n")[0])
        while len(raw.partition(b"\r\n\r\n")[2]) < length:
            raw += conn.recv(65536) or pytest.fail(f"closed mid-answer: {raw!r}")
    return raw


def response(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_300_simultaneous_connections_are_all_answered(node: Served) -> None:
    """A listen backlog of 5 reset ~220 of 300 clients connecting at once; anvil resets none."""
    count = 300
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.setblocking(False)
            s.connect_ex(address(node))  # all 300 handshakes in flight before any is accepted
        answers: list[bytes] = [b""] * count
        errors: list[BaseException] = []

        def client(index: int) -> None:
            s = sockets[index]
            try:
                s.settimeout(60)
                s.sendall(request(CHAIN_ID, headers="Connection: close\r\n"))
                while chunk := s.recv(65536):
                    answers[index] += chunk
            except OSError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for s in sockets:
            s.close()
    assert errors == []
    assert all(
        response(a) == (200, {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"}) for a in answers
    )


def test_slow_clients_cannot_lock_the_others_out() -> None:
    """~250 clients sending one byte each exhausted a 256-file limit: the node was unreachable.
    Connections are bounded below the file limit; the one idle longest makes room."""
    node = start_node(files=256)
    slow: list[socket.socket] = []
    try:
        for _ in range(300):
            s = socket.create_connection(address(node), timeout=30)
            s.sendall(b"P")
            slow.append(s)
        answer = rpc(node.url, "eth_chainId")
        assert answer["result"] == "0x7a69"
        assert node.process.poll() is None
    finally:
        for s in slow:
            s.close()
        node.kill(signal.SIGTERM)


def test_a_request_head_that_never_completes_is_closed(
    served_factory: Callable[..., Served],
) -> None:
    node = served_factory(idle_timeout=0.2)
    with socket.create_connection(address(node), timeout=60) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert conn.recv(65536) == b""  # closed by the node, not by our timeout
    assert rpc(node.url, "eth_chainId")["result"] == "0x7a69"


def test_chunked_bodies_are_accepted(node: Served) -> None:
    body = chunked(CHAIN_ID[:10], CHAIN_ID[10:30], CHAIN_ID[30:])
    raw = exchange(
        node,
        request(body, headers="Transfer-Encoding: chunked\r\nConnection: close\r\n", length=False),
    )
    assert response(raw) == (200, {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"})


def test_chunked_bodies_are_limited_while_they_are_read(
    served_factory: Callable[..., Served],
) -> None:
    node = served_factory(max_body=4096)
    body = chunked(*([b"[" + b" " * 1000] * 10))
    status, answer = response(
        exchange(node, request(body, headers="Transfer-Encoding: chunked\r\n", length=False))
    )
    assert status == 413
    assert "exceeds the limit of 4096" in answer["error"]["message"]
    assert rpc(node.url, "eth_blockNumber")["result"] == "0x0"


def test_a_declared_length_over_the_limit_is_refused_before_the_body(node: Served) -> None:
    head = request(b"", headers="Content-Length: 1000000000\r\n", length=False)
    status, answer = response(answer_to(node, head))  # no body sent: answered anyway
    assert status == 413
    assert "request body of 1000000000 bytes exceeds the limit" in answer["error"]["message"]


def test_content_length_with_chunked_is_refused_not_split_into_two_requests(node: Served) -> None:
    """Request smuggling: a front end that honours Transfer-Encoding sees one request; a server
    that honours Content-Length would run the second one hidden in the body."""
    hidden = request(MINE)
    data = (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden
    )
    raw = exchange(node, data)  # the node answers once and closes
    assert raw.count(b"HTTP/1.") == 1
    status, answer = response(raw)
    assert status == 400
    assert "Transfer-Encoding" in answer["error"]["message"]
    assert "b'" not in answer["error"]["message"]
    assert rpc(node.url, "eth_blockNumber")["result"] == "0x0"  # the hidden evm_mine never ran


def test_malformed_http_gets_a_json_rpc_error_without_python_reprs(node: Served) -> None:
    data = (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}"
    )
    status, answer = response(exchange(node, data))
    assert status == 400 and answer["error"]["code"] == -32600
    assert "Content-Length" in answer["error"]["message"]
    for marker in ("b'", "Traceback", "^"):
        assert marker not in answer["error"]["message"]


def _peak_rss_kb(node: Node) -> int:
    status = Path(f"/proc/{node.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_60_mb_batch_is_refused_before_it_is_parsed(node_factory: Callable[..., Node]) -> None:
    """The batch limit was checked after parsing: 60 MB of small requests peaked at 1.7 GB.
    (A process of its own: its peak memory is the node's alone.)"""
    node = node_factory()
    one = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},'
    body = b"[" + one * (60_000_000 // len(one)) + CHAIN_ID + b"]"
    before = _peak_rss_kb(node)
    status, answer = response(exchange(node, request(body, headers="Connection: close\r\n")))
    assert status == 413
    assert "over the limit of 1000000" in answer["error"]["message"]
    assert _peak_rss_kb(node) - before < 400_000  # the body, read once and joined; not parsed
    assert rpc(node.url, "eth_chainId")["result"] == "0x7a69"


def test_sigterm_shuts_down_cleanly_and_closes_the_journal(
    node_factory: Callable[..., Node], served_factory: Callable[..., Served], tmp_path: Path
) -> None:
    state = tmp_path / "state.jsonl"
    node = node_factory("--state", str(state))
    assert rpc(node.url, "evm_mine")["result"] == "0x0"
    node.process.send_signal(signal.SIGTERM)
    out, _ = node.process.communicate(timeout=30)
    assert node.process.returncode == 0
    assert "shutting down" in out
    assert "evm_mine" in state.read_text()
    restarted = served_factory(state=str(state))  # the journal was released
    assert rpc(restarted.url, "eth_blockNumber")["result"] == "0x1"
