"""The conformance suite's transports: the same node core reached in-process (``devnet.web3``'s
provider) and over HTTP (``og devnet``'s server on a loopback socket). Every test that takes
``rpc`` runs on both."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account

from og_devnet import Devnet
from og_devnet.server import DevnetHTTPServer


class Failure(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data")
        self.error = error


@dataclass
class Rpc:
    """One transport to one devnet: ``rpc("eth_x", [...])`` gives the result or raises
    ``Failure`` with the JSON-RPC error."""

    name: str
    devnet: Devnet
    send: Callable[[dict[str, Any]], dict[str, Any] | None]
    url: str | None = None

    def response(self, method: str, params: Any = None, request_id: Any = 1) -> dict[str, Any]:
        answer = self.send(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or []}
        )
        assert answer is not None
        return answer

    def __call__(self, method: str, params: Any = None) -> Any:
        answer = self.response(method, params)
        if "error" in answer:
            raise Failure(answer["error"])
        return answer["result"]


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _in_process(devnet: Devnet) -> Rpc:
    provider = devnet.provider

    def send(request: dict[str, Any]) -> dict[str, Any] | None:
        return provider.make_request(request["method"], request["params"])  # type: ignore[return-value]

    return Rpc("in-process", devnet, send)


@pytest.fixture
def http_server() -> Iterator[Callable[[Devnet], str]]:
    servers: list[DevnetHTTPServer] = []

    def start(devnet: Devnet) -> str:
        server = DevnetHTTPServer(devnet.node, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _over_http(devnet: Devnet, url: str) -> Rpc:
    def send(request: dict[str, Any]) -> dict[str, Any] | None:
        status, body = post(url, json.dumps(request).encode())
        assert status == 200, body
        return json.loads(body) if body else None

    return Rpc("http", devnet, send, url)


@pytest.fixture(params=["in-process", "http"])
def transport(
    request: pytest.FixtureRequest, http_server: Callable[[Devnet], str]
) -> Callable[[Devnet], Rpc]:
    """Connects a devnet by the parametrized transport."""

    def connect(devnet: Devnet) -> Rpc:
        if request.param == "in-process":
            return _in_process(devnet)
        return _over_http(devnet, http_server(devnet))

    return connect


@pytest.fixture
def rpc(transport: Callable[[Devnet], Rpc]) -> Rpc:
    """A fresh devnet, reached by the parametrized transport."""
    return transport(Devnet())


def dev_key(index: int) -> bytes:
    from og_devnet.accounts import dev_key as key

    return key(index)


def sign(rpc: Rpc, tx: dict[str, Any], key_index: int = 0) -> str:
    """Sign ``tx`` with dev account ``key_index``, filling nonce and chain id from the node."""
    account = Account.from_key(dev_key(key_index))
    full = {"chainId": 31337, "value": 0, **tx}
    full.setdefault("nonce", int(rpc("eth_getTransactionCount", [account.address, "pending"]), 16))
    return "0x" + bytes(Account.sign_transaction(full, account.key).raw_transaction).hex()
