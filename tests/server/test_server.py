"""``og devnet`` driven over HTTP like any client would: its server in a thread of the test
process (the ``node`` fixture), and the real command where the process is what is tested (its
banner, kill -9 and restart, Ctrl-C)."""

from __future__ import annotations

import json
import signal
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    Alpha,
    InferenceMode,
    SchedulerParams,
)
from og_alpha.node_api import inference_url, parse_result_document
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from tests.conftest import MODELS
from tests.conftest import OHLC_QUERY as QUERY
from tests.server.conftest import Node, Served


def post(url: str, body: bytes) -> tuple[int, object]:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def rpc(url: str, method: str, params: list | None = None) -> dict:
    _, answer = post(
        url,
        json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": params or []}).encode(),
    )
    assert isinstance(answer, dict)
    return answer


def http_alpha(node: Node | Served, index: int = 0) -> Alpha:
    web3 = Web3(HTTPProvider(node.url, request_kwargs={"timeout": 60}))
    return Alpha(web3, Account.from_key(dev_key(index)), INFERENCE_HUB_ADDRESS, node.url)


def test_banner_shows_accounts_keys_addresses_and_models_and_ctrl_c_stops_it_cleanly(
    node_factory: Callable[..., Node],
) -> None:
    node = node_factory("--models", str(MODELS))
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in node.banner
    assert "PUBLIC TEST KEYS" in node.banner
    assert (
        INFERENCE_HUB_ADDRESS in node.banner
        and "0x7179724De4e7FF9271FA40C0337c7f90C0508eF6" in node.banner
    )
    assert "Chain id            31337" in node.banner
    assert node.banner.count("  Qm") == len(list(MODELS.glob("*.onnx")))
    node.process.send_signal(signal.SIGINT)
    out, _ = node.process.communicate(timeout=30)
    assert node.process.returncode == 0
    assert "shutting down" in out


def test_infer_over_http_equals_in_process(node: Served) -> None:
    model = (MODELS / "two_outputs.onnx").read_bytes()
    import base64

    cid = rpc(node.url, "og_addModel", [base64.b64encode(model).decode()])["result"]
    over_http = http_alpha(node).infer(cid, InferenceMode.VANILLA, {"x": [[0.5, -1.0, 3.0, 2.0]]})
    devnet = Devnet()
    devnet.models.add(model)
    in_process = devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[0.5, -1.0, 3.0, 2.0]]})
    assert over_http.transaction_hash == in_process.transaction_hash
    assert over_http.inference_id == in_process.inference_id
    for name in ("scores", "argmax"):
        np.testing.assert_array_equal(over_http.model_output[name], in_process.model_output[name])
    # the node API serves the same result by inference id
    with urllib.request.urlopen(inference_url(node.url, over_http.inference_id)) as response:
        served = parse_result_document(response.read())
    np.testing.assert_array_equal(served.numbers["argmax"], [2])


def test_workflow_schedule_and_history_over_http(served_factory: Callable[..., Served]) -> None:
    node = served_factory(models=str(MODELS))
    alpha = http_alpha(node)
    from og_devnet.cid import ipfs_cid_v0

    cid = ipfs_cid_v0((MODELS / "ohlc.onnx").read_bytes())
    address = alpha.new_workflow(
        cid, QUERY, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=2)
    )
    advanced = rpc(node.url, "og_advanceTime", [3600])["result"]
    assert advanced["runs"] == 60
    history = alpha.read_workflow_history(address, 100)
    assert len(history) == 60
    assert alpha.run_workflow(address) == alpha.read_workflow_result(address)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", -32700),
        (b'"just a string"', -32600),
        (b'{"jsonrpc": "2.0", "id": 1}', -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "eth_noSuchThing", "params": []}', -32601),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "og_noSuchThing", "params": []}', -32601),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": []}', -32602),
        (
            b'{"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": ["0x12", "latest"]}',
            -32602,
        ),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "og_advanceTime", "params": ["soon"]}', -32602),
        (
            b'{"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": ["0x00"]}',
            -32602,
        ),
    ],
)
def test_bad_requests_get_standard_errors_and_the_node_keeps_serving(
    node: Served, body: bytes, code: int
) -> None:
    status, answer = post(node.url, body)
    assert status == 200 and isinstance(answer, dict)
    assert answer["error"]["code"] == code, answer
    assert rpc(node.url, "eth_chainId")["result"] == hex(31337)


def test_oversized_body_is_refused_and_the_node_keeps_serving(
    served_factory: Callable[..., Served],
) -> None:
    node = served_factory(max_body=4096)
    status, answer = post(node.url, b"[" + b" " * 5000 + b"]")
    assert status == 413 and answer["error"]["code"] == -32600  # type: ignore[index]
    assert "exceeds the limit of 4096" in answer["error"]["message"]  # type: ignore[index]
    assert rpc(node.url, "eth_blockNumber")["result"] == "0x0"


def test_reverts_carry_reason_and_data(node: Served) -> None:
    from og_alpha import wire

    data = wire.encode_hub_run("QmMissing", 0, wire.encode_model_input({"x": [1.0]}))
    error = rpc(
        node.url, "eth_call", [{"to": INFERENCE_HUB_ADDRESS, "data": "0x" + data.hex()}, "latest"]
    )["error"]
    assert error["code"] == 3
    assert "unknown model CID 'QmMissing'" in error["message"]
    assert wire.decode_revert_reason(bytes.fromhex(error["data"][2:])).startswith("unknown model")


def test_batch_and_dev_methods(node: Served) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": i, "method": m, "params": p}
        for i, (m, p) in enumerate(
            [
                ("evm_snapshot", []),
                ("anvil_setBalance", ["0x000000000000000000000000000000000000bEEF", "0x64"]),
                ("evm_mine", []),
                ("eth_getBalance", ["0x000000000000000000000000000000000000bEEF", "latest"]),
                ("evm_revert", ["0x1"]),
                ("eth_getBalance", ["0x000000000000000000000000000000000000bEEF", "latest"]),
                ("evm_setNextBlockTimestamp", ["0x77359400"]),
                ("evm_mine", []),
                ("eth_getBlockByNumber", ["latest", False]),
            ]
        )
    ]
    _, answers = post(node.url, json.dumps(batch).encode())
    results = {a["id"]: a.get("result") for a in answers}  # type: ignore[union-attr]
    assert results[3] == "0x64" and results[4] is True and results[5] == "0x0"
    assert results[8]["timestamp"] == "0x77359400"


def test_concurrent_clients_all_get_their_transactions_mined(node: Served) -> None:
    errors: list[BaseException] = []

    def client(index: int) -> None:
        try:
            web3 = Web3(HTTPProvider(node.url))
            account = Account.from_key(dev_key(index))
            for nonce in range(10):
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
                web3.eth.send_raw_transaction(signed.raw_transaction)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert int(rpc(node.url, "eth_blockNumber")["result"], 16) == 40
    assert rpc(
        node.url, "eth_getBalance", ["0x000000000000000000000000000000000000dEaD", "latest"]
    )["result"] == hex(40)


def test_kill_9_then_restart_keeps_every_acknowledged_transaction(
    node_factory: Callable[..., Node], served_factory: Callable[..., Served], tmp_path: Path
) -> None:
    state = tmp_path / "state.jsonl"
    node = node_factory("--state", str(state))
    account = Account.from_key(dev_key(1))
    acknowledged: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        web3 = Web3(HTTPProvider(node.url))
        for nonce in range(10_000):
            if stop.is_set():
                return
            signed = account.sign_transaction(
                {
                    "to": "0x000000000000000000000000000000000000dEaD",
                    "value": nonce + 1,
                    "gas": 21000,
                    "gasPrice": 2 * 10**9,
                    "nonce": nonce,
                    "chainId": 31337,
                }
            )
            try:
                acknowledged.append(web3.eth.send_raw_transaction(signed.raw_transaction).hex())
            except Exception:  # noqa: BLE001 - the node died mid-request: not acknowledged
                return

    sender = threading.Thread(target=stream)
    sender.start()
    while len(acknowledged) < 25:
        assert sender.is_alive()
        threading.Event().wait(0.01)
    node.kill(signal.SIGKILL)
    stop.set()
    sender.join()
    count = len(acknowledged)
    restarted = node_factory("--state", str(state))
    web3 = Web3(HTTPProvider(restarted.url))
    for tx_hash in acknowledged:
        assert web3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    assert web3.eth.get_transaction_count(account.address) >= count
    head = web3.eth.block_number
    assert head >= count
    hashes = [web3.eth.get_block(n)["hash"] for n in range(head + 1)]
    # the same calls rebuild the same chain: compare with a fresh replay of the journal (one
    # node per journal at a time: the file is locked), here in-process
    restarted.kill(signal.SIGKILL)
    again = served_factory(state=str(state))
    other = Web3(HTTPProvider(again.url))
    assert [other.eth.get_block(n)["hash"] for n in range(head + 1)] == hashes
