"""A small batch of quick reads (nonce and gas price in one request, say) is answered on the
server's event loop when the node is free, as one quick read is; anything else in a batch, or
a busy node, sends it to the node's threads. The answer is the node's either way."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import pytest

from og_devnet.node import Node
from tests.server.conftest import Served

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
QUICK_BATCH = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "eth_getTransactionCount",
        "params": [ADDRESS, "pending"],
    },
    {"jsonrpc": "2.0", "id": "two", "method": "eth_gasPrice", "params": []},
    {"jsonrpc": "2.0", "method": "eth_chainId", "params": []},  # a notification: no answer
    {"jsonrpc": "2.0", "id": 4, "method": "eth_getBalance", "params": ["0x12", "latest"]},
]
CALL = {"jsonrpc": "2.0", "id": 5, "method": "eth_call", "params": [{"to": ADDRESS}, "latest"]}


def post(url: str, body: bytes) -> Any:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def threads_used(node: Served, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the threads that ran the node's handle_body."""
    core: Node = node.server.node
    handle_body = core.handle_body
    names: list[str] = []

    def recording(body: bytes) -> bytes | None:
        names.append(threading.current_thread().name)
        return handle_body(body)

    monkeypatch.setattr(core, "handle_body", recording)
    return names


def worker(name: str) -> bool:
    return name.startswith("og-devnet-rpc")


def test_a_batch_of_quick_reads_is_answered_on_the_loop(
    node: Served, threads_used: list[str]
) -> None:
    body = json.dumps(QUICK_BATCH).encode()
    answer = post(node.url, body)
    assert answer == json.loads(node.server.node.handle_body(body) or b"null")
    assert [a["id"] for a in answer] == [1, "two", 4]
    assert "error" in answer[2]  # an invalid address, answered in its place
    assert not worker(threads_used[0])


def test_a_batch_with_another_method_goes_to_the_node_threads(
    node: Served, threads_used: list[str]
) -> None:
    answer = post(node.url, json.dumps([*QUICK_BATCH, CALL]).encode())
    assert [a["id"] for a in answer] == [1, "two", 4, 5]
    assert worker(threads_used[0])


def test_a_busy_node_sends_the_batch_to_the_node_threads(
    node: Served, threads_used: list[str]
) -> None:
    lock = node.server.node.lock
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    timer = threading.Timer(0.2, release.set)
    timer.start()
    started = time.monotonic()
    answer = post(node.url, json.dumps(QUICK_BATCH).encode())
    assert time.monotonic() - started >= 0.15  # it waited for the node
    holder.join()
    assert [a["id"] for a in answer] == [1, "two", 4]
    assert worker(threads_used[0])
