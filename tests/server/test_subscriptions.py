"""``eth_subscribe`` over WebSocket on og devnet's port: what each subscription delivers is
what the chain holds (headers, logs, transaction hashes), filters select, unsubscribing and
disconnecting end subscriptions, and every other method answers over the socket too.

Notifications for a block are queued before the answer of the call that mined it, so a
client that asks something on the same socket after the mining call returned has every
notification before that answer: ``until_answer`` reads up to it, which makes "nothing else
arrived" a checkable fact rather than a wait.

On og devnet's server in a thread of the test process (``node``); the first test on the real
command.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3
from websockets.sync.client import ClientConnection, connect

from og_devnet import Devnet
from og_devnet.accounts import dev_key
from og_devnet.server import DevnetHTTPServer
from tests.server.conftest import Node, Served
from tests.server.ping import PING_TOPIC, deploy_ping, ping
from tests.server.test_server import rpc

_ids = itertools.count(100)


def ws_url(url: str) -> str:
    return "ws" + url.removeprefix("http")


class Client:
    """A raw JSON-RPC WebSocket client that keeps notifications apart from answers."""

    def __init__(self, url: str) -> None:
        self._connection = connect(ws_url(url), open_timeout=30)
        self.ws: ClientConnection = self._connection.__enter__()
        self.notifications: list[dict[str, Any]] = []

    def send(self, payload: Any) -> None:
        self.ws.send(json.dumps(payload))

    def receive(self) -> Any:
        message = json.loads(self.ws.recv(timeout=60))
        if isinstance(message, dict) and message.get("method") == "eth_subscription":
            self.notifications.append(message["params"])
            return None
        return message

    def until_answer(self, request_id: Any) -> Any:
        while True:
            message = self.receive()
            if isinstance(message, list) or (message is not None and message["id"] == request_id):
                return message

    def call(self, method: str, params: list[Any] | None = None) -> dict[str, Any]:
        request_id = next(_ids)
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or []})
        return self.until_answer(request_id)

    def subscribe(self, *params: Any) -> str:
        answer = self.call("eth_subscribe", list(params))
        assert "result" in answer, answer
        return str(answer["result"])

    def sync(self) -> None:
        """Read every notification queued before now (see the module's docstring)."""
        self.call("eth_blockNumber")

    def results(self, subscription: str) -> list[Any]:
        return [n["result"] for n in self.notifications if n["subscription"] == subscription]

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


@pytest.fixture
def client(node: Served) -> Iterator[Client]:
    opened = Client(node.url)
    yield opened
    opened.close()


def test_new_heads_are_the_headers_of_the_mined_blocks(node_factory: Callable[..., Node]) -> None:
    node = node_factory()  # og devnet itself
    client = Client(node.url)
    try:
        heads = client.subscribe("newHeads")
        for _ in range(2):
            rpc(node.url, "evm_mine")
        client.sync()
    finally:
        client.close()
    got = client.results(heads)
    assert [int(h["number"], 16) for h in got] == [1, 2]
    for head in got:
        block = rpc(node.url, "eth_getBlockByNumber", [head["number"], False])["result"]
        expected = {
            k: v for k, v in block.items() if k not in ("transactions", "uncles", "withdrawals")
        }
        assert head == expected


def test_logs_are_filtered_by_address_and_topics(node: Served, client: Client) -> None:
    web3 = Web3(HTTPProvider(node.url))
    contract = deploy_ping(web3)
    tag7 = "0x" + (7).to_bytes(32, "big").hex()
    every = client.subscribe("logs", {})
    by_address = client.subscribe("logs", {"address": contract})
    by_topic = client.subscribe("logs", {"address": [contract], "topics": [None, tag7]})
    by_event = client.subscribe("logs", {"topics": [["0x" + PING_TOPIC.hex()]]})
    elsewhere = client.subscribe("logs", {"address": "0x000000000000000000000000000000000000dEaD"})
    receipts = [ping(web3, contract, tag, value) for tag, value in ((7, 100), (8, 200), (7, 300))]
    client.sync()

    chain_logs = [
        rpc(node.url, "eth_getLogs", [{"blockHash": "0x" + bytes(r["blockHash"]).hex()}])["result"][
            0
        ]
        for r in receipts
    ]
    assert [int(log["data"], 16) for log in chain_logs] == [100, 200, 300]
    assert client.results(every) == chain_logs
    assert client.results(by_address) == chain_logs
    assert client.results(by_event) == chain_logs
    assert client.results(by_topic) == [chain_logs[0], chain_logs[2]]
    assert client.results(elsewhere) == []


def test_pending_transactions_are_announced_by_hash(node: Served, client: Client) -> None:
    pending = client.subscribe("newPendingTransactions")
    account = Account.from_key(dev_key(2))
    hashes = []
    for nonce in range(3):
        signed = account.sign_transaction(
            {
                "to": "0x000000000000000000000000000000000000dEaD",
                "value": 1,
                "gas": 21000,
                "gasPrice": 2 * 10**9,
                "nonce": nonce,
                "chainId": 31337,
            }
        )
        hashes.append(
            rpc(node.url, "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])["result"]
        )
    client.sync()
    assert client.results(pending) == hashes


def test_unsubscribe_ends_a_subscription_and_only_its_owner_can(node: Served) -> None:
    first, second = Client(node.url), Client(node.url)
    try:
        heads = first.subscribe("newHeads")
        other = first.subscribe("newHeads")
        theirs = second.call("eth_unsubscribe", [heads])
        assert theirs["error"] == {"code": -32000, "message": "subscription not found"}
        assert first.call("eth_unsubscribe", [heads])["result"] is True
        assert (
            first.call("eth_unsubscribe", [heads])["error"]["message"] == "subscription not found"
        )
        rpc(node.url, "evm_mine")
        first.sync()
        assert first.results(heads) == [] and len(first.results(other)) == 1
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize(
    ("params", "says"),
    [
        (["newBlocks"], "unknown subscription kind"),
        ([], "unknown subscription kind"),
        (["logs", {"address": "0x12"}], "address"),
        (["logs", {"fromBlock": "0x0"}], "address and topics only"),
        (["logs", {"topics": "nope"}], "topics must be an array"),
        (["newPendingTransactions", True], "hashes only"),
        (["newHeads", {}], "no options"),
    ],
)
def test_bad_subscriptions_are_refused_clearly(
    client: Client, params: list[Any], says: str
) -> None:
    error = client.call("eth_subscribe", params)["error"]
    assert error["code"] == -32602 and says in error["message"], error


def test_every_other_method_answers_over_the_socket(client: Client) -> None:
    assert client.call("eth_chainId")["result"] == "0x7a69"
    client.send(
        [
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
            {"jsonrpc": "2.0", "method": "eth_chainId"},  # a notification: no answer
            {"jsonrpc": "2.0", "id": 2, "method": "eth_subscribe", "params": ["newHeads"]},
            {"jsonrpc": "2.0", "id": 3, "method": "eth_noSuchMethod"},
        ]
    )
    batch = client.until_answer(None)
    assert [a["id"] for a in batch] == [1, 2, 3]
    assert batch[0]["result"] == "0x7a69" and batch[1]["result"].startswith("0x")
    assert batch[2]["error"]["code"] == -32601
    client.ws.send("{not json")
    assert client.until_answer(None)["error"]["code"] == -32700


def test_subscribe_over_http_says_it_needs_a_websocket(node: Served) -> None:
    error = rpc(node.url, "eth_subscribe", ["newHeads"])["error"]
    assert error["code"] == -32601
    assert error["message"].startswith("notifications not supported")
    assert "WebSocket" in error["message"]


def test_a_closed_connection_leaves_no_subscription_behind() -> None:
    """In-process, to see the server's own count: a client that vanishes without a close
    frame still loses its subscriptions, and the node's listeners go with the server."""
    devnet = Devnet()
    server = DevnetHTTPServer(devnet.node, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        url = f"http://{host}:{port}"
        clean, abrupt = Client(url), Client(url)
        for c in (clean, abrupt):
            c.subscribe("newHeads")
            c.subscribe("logs", {})
            c.subscribe("newPendingTransactions")
        assert server.hub is not None and len(server.hub) == 6
        clean.close()
        abrupt.ws.socket.close()  # no close frame: the TCP connection just ends
        done = threading.Event()
        for _ in range(600):
            if len(server.hub) == 0:
                break
            done.wait(0.05)
        assert len(server.hub) == 0
        devnet.node.request("evm_mine", [])  # listeners with nobody to tell: nothing breaks
        assert devnet.block_number == 1
        hub = server.hub
    finally:
        server.shutdown()
        server.server_close()
    assert hub._on_block not in devnet.chain.block_listeners
    assert hub._on_transaction not in devnet.node.transaction_listeners
