"""The fork's JSON-RPC client against nodes that misbehave the ways real ones do (an HTTP
server on loopback answering as scripted): what is retried, what is not, and what it says."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from og_devnet import fork_rpc
from og_devnet.fork_rpc import ForkError, RpcClient

Answer = tuple[int, Any]  # HTTP status, JSON body (bytes: sent as they are)


class Scripted:
    """A node whose answers come from ``script(request)``; ``bodies`` are the requests."""

    def __init__(self, script: Callable[[Any], Answer]) -> None:
        self.script = script
        self.bodies: list[Any] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.bodies.append(body)
                status, answer = owner.script(body)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # polling every 50 ms: shutdown() waits for a poll (0.5 s each by default)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def node() -> Iterator[Callable[[Callable[[Any], Answer]], Scripted]]:
    started: list[Scripted] = []

    def start(script: Callable[[Any], Answer]) -> Scripted:
        started.append(Scripted(script))
        return started[-1]

    yield start
    for one in started:
        one.server.shutdown()
        one.server.server_close()


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fork_rpc, "BACKOFF", 0.0)


def ok(request: Any, result: Any = "0x1") -> Answer:
    if isinstance(request, list):
        return 200, [{"jsonrpc": "2.0", "id": r["id"], "result": result} for r in request]
    return 200, {"jsonrpc": "2.0", "id": request["id"], "result": result}


def test_a_busy_or_rate_limited_node_is_asked_again(node: Callable[..., Scripted]) -> None:
    answers: list[Callable[[Any], Answer]] = [
        lambda r: (503, b"busy"),
        lambda r: (200, {"jsonrpc": "2.0", "id": 0, "error": {"code": -32005, "message": "x"}}),
        ok,
    ]
    remote = node(lambda request: answers.pop(0)(request))
    client = RpcClient(remote.url, retries=2)
    assert client.call("eth_chainId", [], "the chain id") == "0x1"
    assert client.requests == 3


def test_retries_end_in_an_error_naming_the_node_and_what_was_read(
    node: Callable[..., Scripted],
) -> None:
    remote = node(lambda request: (502, b"bad gateway"))
    client = RpcClient(remote.url + "/rpc?key=secret", retries=1)
    with pytest.raises(ForkError) as failed:
        client.call("eth_getBalance", ["0x" + "00" * 20, "0x5"], "account 0x00 at block 5")
    assert str(failed.value) == (
        f"cannot read account 0x00 at block 5 from the fork URL {remote.url}/rpc?***: HTTP 502 "
        "(tried 2 times); check that the node is running and reachable"
    )
    assert len(remote.bodies) == 2


def test_a_node_that_refuses_batches_is_asked_one_call_at_a_time(
    node: Callable[..., Scripted],
) -> None:
    def script(request: Any) -> Answer:
        if isinstance(request, list):
            return 200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no"}}
        return ok(request, request["method"])

    remote = node(script)
    calls = [("eth_getBalance", []), ("eth_getCode", [])]
    assert RpcClient(remote.url).batch(calls, "two") == ["eth_getBalance", "eth_getCode"]
    assert [type(b).__name__ for b in remote.bodies] == ["list", "dict", "dict"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((401, b"unauthorized"), "answered HTTP 401 while the devnet was reading the head"),
        ((200, b"<html>"), "answered the head with something that is not JSON"),
        (
            (
                200,
                {
                    "jsonrpc": "2.0",
                    "id": 0,
                    "error": {"code": -32000, "message": "missing trie node 1f"},
                },
            ),
            "does not have what the head needs (eth_blockNumber: missing trie node 1f): a node "
            "that is not an archive node keeps only recent blocks' state",
        ),
        (
            (
                200,
                {"jsonrpc": "2.0", "id": 0, "error": {"code": -32601, "message": "no such method"}},
            ),
            "refused eth_blockNumber (the head): no such method",
        ),
        ((200, {"jsonrpc": "2.0", "id": 7, "result": "0x1"}), "did not answer eth_blockNumber"),
    ],
    ids=["unauthorized", "not-json", "pruned", "refused", "wrong-id"],
)
def test_answers_that_cannot_be_used_are_not_retried(
    node: Callable[..., Scripted], answer: Answer, message: str
) -> None:
    remote = node(lambda request: answer)
    with pytest.raises(ForkError, match=message.replace("(", r"\(").replace(")", r"\)")):
        RpcClient(remote.url).call("eth_blockNumber", [], "the head")
    assert len(remote.bodies) == 1
