"""The fast path (states kept between calls, the pending block's VM kept and its state root
taken once per block, devnet.alpha() without web3 middleware) gives exactly what the general
path gives (a fresh state per call, py-evm's VM per transaction, web3's default middleware):
block hashes, receipts, inference-log records and errors."""

from __future__ import annotations

from typing import Any

import pytest

from og_alpha import INFERENCE_HUB_ADDRESS, Alpha, InferenceError, InferenceMode, SchedulerParams
from og_devnet import Devnet
from og_devnet.log import InferenceRecord
from og_devnet.node import RpcError
from tests.conftest import MODELS
from tests.e2e.test_workflows import eth_query


def _alpha(devnet: Devnet, fast: bool) -> Alpha:
    if fast:
        return devnet.alpha(0)
    slow = devnet.alpha(0)
    return Alpha(
        devnet.web3,
        devnet.accounts[0],
        INFERENCE_HUB_ADDRESS,
        "http://devnet.invalid",
        api_fetch=slow._api_fetch,
    )


def _record(r: Any) -> tuple:
    if isinstance(r, InferenceRecord):
        return (
            r.inference_id,
            r.model_cid,
            r.mode,
            r.error,
            r.simulation,
            r.transaction_hash,
            r.block_number,
            r.output_abi,
            sorted((k, v.tolist()) for k, v in r.inputs.items()),
        )
    return tuple(r.__dict__.values())


def _run(fast: bool) -> dict[str, Any]:
    devnet = Devnet()
    if not fast:
        devnet.node.states = None  # a fresh state for every read and simulation
        devnet.chain.keep_pending_vm = False  # a VM and a state root per transaction
    alpha = _alpha(devnet, fast)
    linear = devnet.models.add(MODELS / "linear.onnx")
    ohlc = devnet.models.add(MODELS / "ohlc.onnx")
    out: dict[str, Any] = {"errors": []}
    for mode in InferenceMode:
        alpha.infer(linear, mode, {"x": [[1.0, 2.0, 3.0]]})
    snapshot = devnet.snapshot()
    alpha.infer(linear, InferenceMode.VANILLA, {"x": [[4.0, 5.0, 6.0]]})
    devnet.revert(snapshot)
    with pytest.raises(InferenceError) as failure:
        alpha.infer("QmNoSuchModel", InferenceMode.VANILLA, {"x": [[1.0]]})
    out["errors"].append(str(failure.value))
    address = alpha.new_workflow(
        ohlc, eth_query(), "open_high_low_close", SchedulerParams(frequency=60, duration_hours=1)
    )
    alpha.run_workflow(address)
    devnet.advance(300)
    devnet.web3.eth.send_transaction(
        {"from": devnet.accounts[1].address, "to": devnet.accounts[2].address, "value": 7}
    )
    # several transactions in one block, the pending state read between them
    sender, to = devnet.accounts[3].address, devnet.accounts[4].address
    devnet.node.request("evm_setAutomine", [False])
    for value in (1, 2):
        devnet.web3.eth.send_transaction({"from": sender, "to": to, "value": value})
        out.setdefault("pending", []).append(
            (
                devnet.node.request("eth_getBalance", [to, "pending"]),
                devnet.node.request("eth_getBlockByNumber", ["pending", False])["stateRoot"],
            )
        )
    devnet.node.request("evm_mine", [])
    devnet.node.request("evm_setAutomine", [True])
    # a dev edit between blocks, read at latest, then a transaction that depends on it
    devnet.node.request("anvil_setBalance", [sender, hex(10**18 + 5)])
    out["edited"] = devnet.node.request("eth_getBalance", [sender, "latest"])
    devnet.web3.eth.send_transaction({"from": sender, "to": to, "value": 10**17})
    out["after_edit"] = [devnet.node.request("eth_getBalance", [a, "latest"]) for a in (sender, to)]
    # a revert brings back a pending block equal to one seen before: its state must be too
    before = devnet.snapshot()
    alpha.infer(linear, InferenceMode.VANILLA, {"x": [[7.0, 8.0, 9.0]]})
    devnet.revert(before)
    out["after_revert"] = devnet.node.request("eth_getTransactionCount", [sender, "pending"])
    try:
        devnet.node.request("eth_call", [{"to": INFERENCE_HUB_ADDRESS, "input": "0x1234"}])
    except RpcError as exc:
        out["errors"].append((exc.code, exc.message, exc.data))
    blocks = [
        devnet.node.request("eth_getBlockByNumber", [hex(n), True])
        for n in range(devnet.block_number + 1)
    ]
    out["blocks"] = blocks
    out["receipts"] = [
        devnet.node.request("eth_getBlockReceipts", [hex(n)])
        for n in range(devnet.block_number + 1)
    ]
    out["log"] = [_record(r) for r in devnet.inference_log]
    return out


def test_fast_and_general_paths_agree() -> None:
    fast, general = _run(True), _run(False)
    assert len(fast["blocks"]) > 10 and len(fast["log"]) > 10
    assert fast == general
