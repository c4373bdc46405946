"""The JSON-RPC 2.0 envelope, exactly: versions, ids, notifications, batches, parse errors;
and no body can take the node down."""

from __future__ import annotations

import json
import signal

import pytest

from og_devnet import Devnet
from tests.server.conftest import start_node

from .conftest import Rpc, post


def _body(node: Devnet, request: object) -> object:
    answer = node.node.handle_body(json.dumps(request).encode())
    return None if answer is None else json.loads(answer)


@pytest.fixture(scope="module")
def devnet() -> Devnet:
    return Devnet()


@pytest.mark.parametrize("request_id", [1, "abc", None, 0, -7, 1.5, "0x01", 2**60])
def test_ids_are_echoed_exactly(devnet: Devnet, request_id: object) -> None:
    answer = _body(devnet, {"jsonrpc": "2.0", "id": request_id, "method": "eth_chainId"})
    assert answer == {"jsonrpc": "2.0", "id": request_id, "result": "0x7a69"}


@pytest.mark.parametrize(
    "bad",
    [
        {"id": 1, "method": "eth_chainId"},
        {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": 2.0, "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": 1, "method": 5},
        {"jsonrpc": "2.0", "id": 1},
    ],
)
def test_invalid_requests_are_refused(devnet: Devnet, bad: dict) -> None:
    answer = _body(devnet, bad)
    assert answer["error"]["code"] == -32600
    assert answer["id"] == 1


def test_invalid_ids_and_non_objects(devnet: Devnet) -> None:
    assert (
        _body(devnet, {"jsonrpc": "2.0", "id": [1], "method": "eth_chainId"})["error"]["code"]
        == -32600
    )
    assert _body(devnet, 5)["error"]["code"] == -32600
    assert _body(devnet, [])["error"]["code"] == -32600


def test_notifications_are_never_answered_even_when_they_fail(devnet: Devnet) -> None:
    for method, params in [("eth_chainId", []), ("no_such", []), ("eth_getBalance", ["0xbad"])]:
        assert _body(devnet, {"jsonrpc": "2.0", "method": method, "params": params}) is None
    batch = [{"jsonrpc": "2.0", "method": "eth_chainId"}, {"jsonrpc": "2.0", "method": "nope"}]
    assert _body(devnet, batch) is None


def test_batches_answer_each_request(devnet: Devnet) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        7,
    ]
    answers = _body(devnet, batch)
    assert answers[0] == {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"}
    assert answers[1]["id"] == 2 and answers[1]["error"]["code"] == -32601
    assert answers[2]["id"] is None and answers[2]["error"]["code"] == -32600
    assert len(answers) == 3


@pytest.mark.parametrize(
    "body",
    [
        b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[NaN]}',
        b"[Infinity]",
        b"{",
        b"\xff\xfe",
    ],
)
def test_not_json_is_a_parse_error(devnet: Devnet, body: bytes) -> None:
    answer = json.loads(devnet.node.handle_body(body))
    assert answer["error"]["code"] == -32700
    assert answer["id"] is None


def test_by_name_params_are_refused_clearly(devnet: Devnet) -> None:
    answer = _body(
        devnet, {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": {"a": 1}}
    )
    assert answer["error"]["code"] == -32602
    assert "array" in answer["error"]["message"]


def test_error_messages_carry_no_python_reprs(rpc: Rpc) -> None:
    bad_calls = [
        ("eth_getBalance", [{"x": 1}]),
        ("eth_call", [{"to": "0x" + "11" * 20, "bogus": 1}]),
        ("eth_sendRawTransaction", ["0xdeadbeef"]),
        ("eth_getLogs", [{"address": {"a": 1}}]),
        ("evm_revert", [[1]]),
        ("og_addModel", [{"a": 1}]),
    ]
    for method, params in bad_calls:
        error = rpc.response(method, params)["error"]
        assert error["code"] in (-32602, -32000), (method, error)
        for marker in ("b'", "unhashable", "Traceback", "object at 0x", "<class"):
            assert marker not in error["message"], (method, error)


HOSTILE = {
    "deep arrays": b"[" * 75_000,
    "deep objects": b'{"a":' * 60_000,
    "deep params": b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":'
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}",
    "huge batch": json.dumps(
        [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(5000)]
    ).encode(),
    "invalid utf-8": b'{"jsonrpc":"2.0","id":1,"method":"eth_chain\xff\xfeId"}',
}


def test_hostile_bodies_get_an_error_and_the_node_stays_up() -> None:
    node = start_node()
    try:
        for name, body in HOSTILE.items():
            status, answer = post(node.url, body)
            error = json.loads(answer)["error"]
            assert error["code"] in (-32700, -32600), (name, error)
            assert node.process.poll() is None, f"the node died on {name}"
        status, answer = post(node.url, b'{"jsonrpc":"2.0","id":9,"method":"eth_chainId"}')
        assert (status, json.loads(answer)["result"]) == (200, "0x7a69")
    finally:
        node.kill(signal.SIGTERM)
