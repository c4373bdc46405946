"""The real, unmodified public OpenGradient SDK's Alpha client against ``og devnet``.

The devnet must behave like the Alpha Testnet, so that a client written for the real network
works against it by URL alone. This module takes that client from PyPI (``opengradient``, its
published wheel, checked by hash), loads only the four modules the Alpha client needs without
running the SDK's package ``__init__`` (which pulls langchain, openai, firebase...), and points
it at a node: inference, a workflow deployed from the SDK's own bundled bytecode and registered
with the scheduler by the SDK's own code, scheduled runs as the devnet's clock moves, manual
runs, results and history. Every number is compared with onnxruntime run directly.

Nothing of the SDK is patched: the test only passes the node's URL as ``rpc_url`` and
``api_url``. Without access to PyPI the tests are skipped.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
import time
import types
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_abi import decode
from eth_account import Account
from web3 import HTTPProvider, Web3
from web3.logs import DISCARD

from og_devnet import Devnet
from og_devnet.accounts import dev_key
from og_devnet.cid import ipfs_cid_v0
from tests.conftest import MODELS, run_onnx
from tests.server.conftest import Node

SDK_VERSION = "1.1.4"
SDK_WHEEL = f"opengradient-{SDK_VERSION}-py3-none-any.whl"
SDK_WHEEL_SHA256 = "ad604f80ab2aa4043ad6d13dbbaf7c96529509742d23dceba109b55bc32496a8"
# The Alpha client's modules, imported without opengradient/__init__.py and
# opengradient/client/__init__.py.
SDK_MODULES = (
    "opengradient.types",
    "opengradient.client._utils",
    "opengradient.client._conversions",
    "opengradient.client.alpha",
)

KEY = "0x" + dev_key(1).hex()  # dev account 1
OHLC_INPUT = "open_high_low_close"
TASK_REGISTERED = Web3.keccak(text="TaskRegistered(uint256,address,address,uint256,uint256)")
TASK_EXECUTED = Web3.keccak(text="TaskExecuted(uint256,uint256,bool,bytes)")


def cid(model: str) -> str:
    return ipfs_cid_v0((MODELS / model).read_bytes())


# --- the SDK, from its published wheel ----------------------------------------------------


@pytest.fixture(scope="session")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extracted ``opengradient`` package folder of the published wheel."""
    cache = tmp_path_factory.mktemp("opengradient-sdk")
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "--no-input",
                "--retries",
                "1",
                "--timeout",
                "20",
                "-d",
                str(cache),
                f"opengradient=={SDK_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot download opengradient=={SDK_VERSION} from PyPI: {exc}")
    wheel = cache / SDK_WHEEL
    if done.returncode != 0 or not wheel.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        pytest.skip(f"cannot download opengradient=={SDK_VERSION} from PyPI (pip: {tail})")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert digest == SDK_WHEEL_SHA256, f"{SDK_WHEEL} is not the published wheel: sha256 {digest}"
    with zipfile.ZipFile(wheel) as archive:
        members = [n for n in archive.namelist() if n.startswith("opengradient/")]
        archive.extractall(cache / "src", members)
    return cache / "src" / "opengradient"


@pytest.fixture(scope="module")
def og(sdk_dir: Path) -> Iterator[types.SimpleNamespace]:
    """The SDK's modules, imported as themselves (``opengradient.client.alpha``...), under
    bare parent packages so that no ``__init__.py`` of the SDK runs; removed afterwards."""

    def ours(name: str) -> bool:
        return name == "opengradient" or name.startswith("opengradient.")

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    try:
        for name, folder in (
            ("opengradient", sdk_dir),
            ("opengradient.client", sdk_dir / "client"),
        ):
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            package.__package__ = name
            sys.modules[name] = package
        loaded = {name: importlib.import_module(name) for name in SDK_MODULES}
        yield types.SimpleNamespace(
            types=loaded["opengradient.types"],
            conversions=loaded["opengradient.client._conversions"],
            alpha=loaded["opengradient.client.alpha"],
            dir=sdk_dir,
        )
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def real_client(og: types.SimpleNamespace, url: str) -> Any:
    """The SDK's ``Alpha``, constructed the way a user of the real network does, but for
    the node's URL (the hub address is the SDK's own default: the network's)."""
    return og.alpha.Alpha(
        private_key=KEY,
        rpc_url=url,
        inference_contract_address=og.alpha.DEFAULT_INFERENCE_CONTRACT_ADDRESS,
        api_url=url,
    )


# --- inspection and comparison helpers (plain web3, independent of the SDK) ---------------


def inspector(url: str) -> Web3:
    return Web3(HTTPProvider(url, request_kwargs={"timeout": 60}))


def rpc(web3: Web3, method: str, params: list[Any]) -> Any:
    answer = web3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def tx_hash_hex(value: str) -> str:
    return value if value.startswith("0x") else "0x" + value


def assert_same(actual: Any, expected: Any) -> None:
    """Same shape and the same values, exactly (float32 outputs stay float32-exact)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (actual, expected)
    if expected.dtype == np.float32:
        assert actual.dtype == np.float32, actual.dtype
    np.testing.assert_array_equal(actual, expected)


def assert_same_output(a: Any, b: Any) -> None:
    """Two SDK ``ModelOutput``s are equal (the dataclass's == cannot compare arrays)."""
    assert a.is_simulation_result == b.is_simulation_result
    for field in ("numbers", "strings", "jsons"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.keys() == y.keys(), (field, x, y)
        for name in x:
            assert_same(x[name], y[name])


def ohlc_reference(block_time: int, candle_types: list[int], order: int) -> np.ndarray:
    """ohlc.onnx on the candles a workflow run at ``block_time`` sees (ETH/USD, 10 x 1 min):
    the devnet's synthetic series is a pure function of time, so a separate in-process
    devnet computes the same candles."""
    candles = Devnet().prices.candles("ETH", "USD", 1, 10, end=block_time)
    feed = candles.tensor(candle_types, order).astype(np.float32)
    return run_onnx("ohlc.onnx", {OHLC_INPUT: feed})["price"]


def receipts(web3: Web3, first: int, last: int) -> list[tuple[Any, Any, int]]:
    """(transaction, receipt, block time) of every transaction in blocks first..last."""
    out = []
    for number in range(first, last + 1):
        block = web3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            out.append((tx, web3.eth.get_transaction_receipt(tx["hash"]), block["timestamp"]))
    return out


# --- tests ----------------------------------------------------------------------------------


def test_real_client_infer_equals_onnxruntime(
    og: types.SimpleNamespace, node_factory: Callable[..., Node]
) -> None:
    node = node_factory("--models", str(MODELS))
    client = real_client(og, node.url)
    web3 = inspector(node.url)
    mode = og.types.InferenceMode
    cases: list[tuple[str, Any, dict[str, Any], dict[str, Any]]] = [
        (
            "linear.onnx",
            m,
            {"x": [[1.0, 2.0, 3.0]]},
            {"x": np.array([[1, 2, 3]], dtype=np.float32)},
        )
        for m in mode  # VANILLA, ZKML and TEE
    ]
    cases += [
        (  # shortest-decimal conversion of the SDK: (1, 1), (-25, 8), (100, 0)
            "linear.onnx",
            mode.VANILLA,
            {"x": [[0.1, -2.5e-7, 100.0]]},
            {"x": np.array([[0.1, -2.5e-7, 100.0]], dtype=np.float32)},
        ),
        (
            "two_outputs.onnx",
            mode.VANILLA,
            {"x": np.array([[0.5, -1, 3, 2]], dtype=np.float32)},
            {"x": np.array([[0.5, -1, 3, 2]], dtype=np.float32)},
        ),
        (
            "int_model.onnx",
            mode.VANILLA,
            {"n": [[1, -2, 3]]},
            {"n": np.array([[1, -2, 3]], dtype=np.int64)},
        ),
        (
            "text.onnx",
            mode.VANILLA,
            {"text": ["hello, OpenGradient!"]},
            {"text": np.array(["hello, OpenGradient!"])},
        ),
    ]
    for model, inference_mode, model_input, feeds in cases:
        result = client.infer(cid(model), inference_mode, model_input)
        expected = run_onnx(model, feeds)
        assert result.model_output.keys() == expected.keys(), (model, result)
        for name, value in expected.items():
            # the SDK gives every number back as float32, integers included
            assert_same(result.model_output[name], value)
        receipt = web3.eth.get_transaction_receipt(tx_hash_hex(result.transaction_hash))
        assert receipt["status"] == 1
        assert receipt["to"] == og.alpha.DEFAULT_INFERENCE_CONTRACT_ADDRESS
    # the documented example, to the digit
    y = client.infer(cid("linear.onnx"), mode.VANILLA, {"x": [[1.0, 2.0, 3.0]]}).model_output["y"]
    assert y.tolist() == [[np.float32(4.1)]]


def test_real_client_reads_node_api_results(
    og: types.SimpleNamespace, node_factory: Callable[..., Node]
) -> None:
    """The client's node-API reader (``_get_inference_result_from_node``, the path it takes
    when the on-chain output is empty) against ``og devnet``'s node API, for every mode.

    A subprocess ``og devnet`` has no switch to leave outputs off the chain, so the id comes
    from the ``ModelInferenceEvent`` of a normal inference, decoded with the SDK's own ABI.
    """
    node = node_factory("--models", str(MODELS))
    client = real_client(og, node.url)
    web3 = inspector(node.url)
    precompile = web3.eth.contract(
        address=Web3.to_checksum_address(og.alpha.PRECOMPILE_CONTRACT_ADDRESS),
        abi=client.precompile_abi,
    )
    feeds = {"x": np.array([[0.5, -1, 3, 2]], dtype=np.float32)}
    expected = run_onnx("two_outputs.onnx", feeds)
    for inference_mode in og.types.InferenceMode:
        result = client.infer(cid("two_outputs.onnx"), inference_mode, feeds)
        receipt = web3.eth.get_transaction_receipt(tx_hash_hex(result.transaction_hash))
        events = precompile.events.ModelInferenceEvent().process_receipt(receipt, errors=DISCARD)
        assert len(events) == 1 and events[0]["address"] == og.alpha.PRECOMPILE_CONTRACT_ADDRESS
        inference_id = events[0]["args"]["inferenceID"]
        from_node = client._get_inference_result_from_node(inference_id, inference_mode)
        output = og.conversions.convert_to_model_output(from_node)
        assert output.keys() == expected.keys()
        for name, value in expected.items():
            assert_same(output[name], value)
    with pytest.raises(RuntimeError, match="HTTP 404"):
        client._get_inference_result_from_node("0x" + "00" * 32, og.types.InferenceMode.VANILLA)


def test_real_client_falls_back_to_the_node_api(
    og: types.SimpleNamespace, node_factory: Callable[..., Node]
) -> None:
    """``infer``'s own fallback: the on-chain output is empty (``og_setResultsViaApi``), so
    the client reads the inference id from the receipt and fetches the result from
    ``api_url``, the node's URL."""
    node = node_factory("--models", str(MODELS))
    inspector(node.url).provider.make_request("og_setResultsViaApi", [True])
    try:
        url = node.url
        client = real_client(og, url)
        web3 = inspector(url)
        hub = web3.eth.contract(
            address=og.alpha.DEFAULT_INFERENCE_CONTRACT_ADDRESS, abi=client.inference_abi
        )
        feeds = {"x": np.array([[0.5, -1, 3, 2]], dtype=np.float32)}
        expected = run_onnx("two_outputs.onnx", feeds)
        for inference_mode in og.types.InferenceMode:
            result = client.infer(cid("two_outputs.onnx"), inference_mode, feeds)
            receipt = web3.eth.get_transaction_receipt(tx_hash_hex(result.transaction_hash))
            (event,) = hub.events.InferenceResult().process_receipt(receipt, errors=DISCARD)
            assert og.conversions.convert_to_model_output(event["args"]) == {}  # fallback taken
            assert result.model_output.keys() == expected.keys()
            for name, value in expected.items():
                assert_same(result.model_output[name], value)
    finally:
        node.kill()


def test_real_client_workflow_with_bundled_bytecode_and_scheduler(
    og: types.SimpleNamespace,
    node_factory: Callable[..., Node],
    capsys: pytest.CaptureFixture[str],
) -> None:
    node = node_factory("--models", str(MODELS))
    client = real_client(og, node.url)
    web3 = inspector(node.url)
    t = og.types
    account = web3.eth.account.from_key(KEY).address
    candle_types = [t.CandleType.OPEN, t.CandleType.HIGH, t.CandleType.LOW, t.CandleType.CLOSE]
    query = t.HistoricalInputQuery("ETH", "USD", 10, 1, t.CandleOrder.ASCENDING, candle_types)
    frequency, hours = 60, 2
    wire_types = [int(c) for c in candle_types]
    assert wire_types == [2, 0, 1, 3]  # the SDK's codes: the same as the devnet's

    # --- deploy (the SDK's bundled bytecode) and register (the SDK's own registration) ----
    first_block = web3.eth.block_number + 1
    wall_before = int(time.time())
    address = client.new_workflow(
        cid("ohlc.onnx"), query, OHLC_INPUT, t.SchedulerParams(frequency, hours)
    )
    wall_after = int(time.time())
    printed = capsys.readouterr().out
    assert "Gas estimation failed" not in printed, printed
    assert "Error registering" not in printed, printed  # the SDK swallows this error
    code = web3.eth.get_code(address)
    assert len(code) > 0
    # the runtime code has immutables filled in, so compare its Solidity metadata (the hash
    # of the sources and settings, CBOR at the end): the SDK's contract, not another one
    bundled = (og.dir / "bin" / "PriceHistoryInference.bin").read_text().strip()
    assert bundled.endswith(bytes(code[-53:]).hex()) and code[-53:-51] == b"\xa2\x64"

    sent = receipts(web3, first_block, web3.eth.block_number)
    assert len(sent) == 2, sent
    (deploy_tx, deploy, _), (register_tx, register, registered_at) = sent
    assert deploy["contractAddress"] == address and deploy["status"] == 1
    assert deploy_tx["from"] == account and deploy_tx["type"] == 0  # legacy, as the SDK sends
    assert deploy_tx["gas"] != 5_000_000  # 1.2x the estimate, not the SDK's fallback
    assert deploy_tx["gas"] >= deploy["gasUsed"]
    assert 3_800_000 < deploy["gasUsed"] < 4_600_000  # the real network: about 4.2M
    assert register["status"] == 1 and register_tx["gas"] == 300_000
    assert register_tx["to"] == og.alpha.DEFAULT_SCHEDULER_ADDRESS

    # the real contract's getters, through the SDK's ABI
    workflow = web3.eth.contract(
        address=address, abi=json.loads((og.dir / "abi" / "PriceHistoryInference.abi").read_text())
    )
    assert workflow.functions.modelId().call() == cid("ohlc.onnx")
    assert workflow.functions.inputName().call() == OHLC_INPUT
    assert workflow.functions.inputQuery().call() == ["ETH", "USD", 10, 1, 0]
    assert workflow.functions.historicalContract().call() == (
        "0x00000000000000000000000000000000000000F5"
    )
    empty = client.read_workflow_result(address)
    assert (empty.numbers, empty.strings, empty.jsons) == ({}, {}, {})

    # the schedule, as the chain recorded it
    (registered,) = [log for log in register["logs"] if log["topics"][0] == TASK_REGISTERED]
    task_id = int.from_bytes(registered["topics"][1], "big")
    assert Web3.to_checksum_address(registered["topics"][2][-20:]) == account
    assert Web3.to_checksum_address(registered["topics"][3][-20:]) == address
    end_time, registered_frequency = decode(["uint256", "uint256"], registered["data"])
    assert registered_frequency == frequency
    # SchedulerParams.end_time is wall clock + duration: far after the devnet's 2025 clock
    assert wall_before + hours * 3600 <= end_time <= wall_after + hours * 3600
    assert end_time > registered_at + 600

    # --- advance the clock: scheduled runs, each in a block at its due time ----------------
    start, start_block = web3.eth.get_block("latest")["timestamp"], web3.eth.block_number
    assert start == registered_at
    advanced = rpc(web3, "og_advanceTime", [600])
    until = start + 600
    assert advanced["timestamp"] == until
    due_times = list(range(registered_at + frequency, min(until, end_time) + 1, frequency))
    assert len(due_times) == 10
    assert advanced["runs"] == len(due_times)

    scheduler_logs = web3.eth.get_logs(
        {
            "address": og.alpha.DEFAULT_SCHEDULER_ADDRESS,
            "fromBlock": start_block + 1,
            "toBlock": advanced["block"],
            "topics": [TASK_EXECUTED, "0x" + task_id.to_bytes(32, "big").hex()],
        }
    )
    runs = []
    for log in scheduler_logs:
        due, ok, revert_data = decode(["uint256", "bool", "bytes"], log["data"])
        assert ok, revert_data
        runs.append((due, web3.eth.get_block(log["blockNumber"])["timestamp"], log))
    assert [due for due, _, _ in runs] == due_times
    assert [block_time for _, block_time, _ in runs] == due_times
    emitted = [
        event
        for _, _, log in runs
        for event in workflow.events.InferenceResultEmitted().process_receipt(
            web3.eth.get_transaction_receipt(log["transactionHash"]), errors=DISCARD
        )
    ]
    assert [e["args"]["caller"] for e in emitted] == [og.alpha.DEFAULT_SCHEDULER_ADDRESS] * 10

    # --- history through the SDK: each run's own candles -----------------------------------
    # The SDK's bundled bytecode returns the last min(n, runs) results OLDEST first (most
    # recent last), whatever the SDK's docstring says ("most recent first"); the devnet only
    # runs that bytecode, so this is the network's order. Asking for fewer shows it plainly.
    history = client.read_workflow_history(address, len(due_times) + 5)
    assert len(history) == len(due_times)
    for output, (_, block_time, _), event in zip(history, runs, emitted, strict=True):
        assert not output.is_simulation_result
        assert output.strings == {} and output.jsons == {}
        assert_same(output.numbers["price"], ohlc_reference(block_time, wire_types, 0))
        emitted_output = og.conversions.convert_to_model_output({"output": event["args"]["result"]})
        assert emitted_output.keys() == {"price"}
        assert_same(emitted_output["price"], output.numbers["price"])
    assert len({float(h.numbers["price"][0]) for h in history}) > 1  # time moved the prices
    last_three = client.read_workflow_history(address, 3)
    for a, b in zip(last_three, history[-3:], strict=True):
        assert_same_output(a, b)
    assert_same_output(client.read_workflow_result(address), history[-1])
    # og_alpha reads the same workflow most recent first, as it documents
    from og_alpha import INFERENCE_HUB_ADDRESS as HUB
    from og_alpha import Alpha as DevkitAlpha

    devkit = DevkitAlpha(web3, Account.from_key(dev_key(1)), HUB, node.url)
    ours = devkit.read_workflow_history(address, 3)
    for a, b in zip(ours, reversed(history[-3:]), strict=True):
        np.testing.assert_array_equal(a.numbers["price"].astype(np.float32), b.numbers["price"])

    # --- a manual run -----------------------------------------------------------------------
    ran = client.run_workflow(address)
    run_tx, run_receipt, run_time = receipts(web3, web3.eth.block_number, web3.eth.block_number)[0]
    assert run_tx["to"] == address and run_tx["gas"] == 30_000_000 and run_receipt["status"] == 1
    assert run_tx["from"] == account and run_tx["type"] == 0
    assert_same(ran.numbers["price"], ohlc_reference(run_time, wire_types, 0))
    assert not ran.is_simulation_result
    assert_same_output(client.read_workflow_result(address), ran)
    after = client.read_workflow_history(address, len(due_times) + 1)
    assert_same_output(after[-1], ran)
    for a, b in zip(after[:-1], history, strict=True):
        assert_same_output(a, b)

    # --- descending candles: the SDK's order reaches the price feed ------------------------
    descending = t.HistoricalInputQuery("ETH", "USD", 10, 1, t.CandleOrder.DESCENDING, candle_types)
    other = client.new_workflow(cid("ohlc.onnx"), descending, OHLC_INPUT)
    down = client.run_workflow(other)
    down_time = web3.eth.get_block("latest")["timestamp"]
    assert_same(down.numbers["price"], ohlc_reference(down_time, wire_types, 1))
    assert not np.array_equal(down.numbers["price"], ohlc_reference(down_time, wire_types, 0))

    print(
        f"\nreal PriceHistoryInference on og devnet: deploy gasUsed {deploy['gasUsed']} "
        f"(limit {deploy_tx['gas']}), registerTask gasUsed {register['gasUsed']}, "
        f"run() gasUsed {run_receipt['gasUsed']}, scheduled executeTask gasUsed "
        f"{[web3.eth.get_transaction_receipt(log['transactionHash'])['gasUsed'] for *_, log in runs]}"
    )
