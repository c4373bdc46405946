"""The official client alone against ``og devnet``: its own workflow contract and scheduler
registration, as the chain records them.

The devnet must behave like the Alpha Testnet, so that a client written for the real network
works against it by URL alone. The official client deploys the workflow from its own bundled
bytecode and registers it with its own code; scheduled runs happen at their due times as the
devnet's clock moves, and each stored result is what onnxruntime computes on the candles of its
block's time. (Inference in every mode, the node API and the comparison with ``og_alpha`` are in
test_side_by_side.py.)
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from eth_abi import decode
from web3 import Web3
from web3.logs import DISCARD

from og_alpha import DEFAULT_SCHEDULER_ADDRESS
from og_devnet import Devnet
from tests.compat.conftest import KEY, Node, Official, cid, inspector, ours, rpc
from tests.compat.driver import plain
from tests.compat.scenario import OHLC_INPUT, assert_same, query, reversed_list, value
from tests.conftest import run_onnx

TASK_REGISTERED = Web3.keccak(text="TaskRegistered(uint256,address,address,uint256,uint256)")
TASK_EXECUTED = Web3.keccak(text="TaskExecuted(uint256,uint256,bool,bytes)")
OHLC_TYPES = [2, 0, 1, 3]  # OPEN, HIGH, LOW, CLOSE: the official codes are the devnet's


def ohlc_reference(block_time: int, order: int) -> list[float]:
    """ohlc.onnx on the candles a run at ``block_time`` sees (ETH/USD, 10 x 1 min): the
    devnet's synthetic series is a pure function of time, so a separate in-process devnet
    computes the same candles."""
    candles = Devnet().prices.candles("ETH", "USD", 1, 10, end=block_time)
    feed = candles.tensor(OHLC_TYPES, order).astype(np.float32)
    return run_onnx("ohlc.onnx", {OHLC_INPUT: feed})["price"].tolist()


def transactions(web3: Web3, first: int, last: int) -> list[tuple[Any, Any, int]]:
    """(transaction, receipt, block time) of every transaction in blocks first..last."""
    out = []
    for number in range(first, last + 1):
        block = web3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            out.append((tx, web3.eth.get_transaction_receipt(tx["hash"]), block["timestamp"]))
    return out


def test_official_workflow_bytecode_registration_and_scheduled_runs(
    official: Official, node: Node
) -> None:
    web3 = inspector(node.url)
    account = web3.eth.account.from_key(KEY).address
    first_block = web3.eth.block_number + 1
    steps = [
        {"op": "new_workflow", "model": cid("ohlc.onnx"), "query": query(),
         "input_name": OHLC_INPUT, "schedule": {"frequency": 60, "duration_hours": 2},
         "save_as": "w"},
        {"op": "read_workflow_result", "address": "$w"},
    ]  # fmt: skip
    wall_before = int(time.time())
    deployed, empty = official.run(node.url, steps)
    wall_after = int(time.time())
    address = value(deployed)["value"]
    assert deployed["printed"] == ""  # no "Gas estimation failed", no "Error registering"
    assert plain(value(empty)) == {
        "numbers": {},
        "strings": {},
        "jsons": {},
        "is_simulation_result": False,
    }

    # --- deployed from the client's bundled bytecode, registered by the client's code ------
    (deploy_tx, deploy, _), (register_tx, register, registered_at) = transactions(
        web3, first_block, web3.eth.block_number
    )
    assert deploy["contractAddress"] == address and deploy["status"] == 1
    assert deploy_tx["from"] == account and deploy_tx["type"] == 0  # legacy
    bundled = (official.package_dir / "bin" / "PriceHistoryInference.bin").read_text().strip()
    assert deploy_tx["input"].hex().removeprefix("0x").startswith(bundled.removeprefix("0x"))
    assert deploy_tx["gas"] != 5_000_000  # 1.2x the estimate, not the client's fallback
    assert deploy["gasUsed"] <= deploy_tx["gas"] <= deploy["gasUsed"] * 1.3
    assert 3_800_000 < deploy["gasUsed"] < 4_600_000  # the real network: about 4.2M
    assert register["status"] == 1 and register_tx["gas"] == 300_000
    assert register_tx["to"] == DEFAULT_SCHEDULER_ADDRESS
    (registered,) = [log for log in register["logs"] if log["topics"][0] == TASK_REGISTERED]
    task_id = int.from_bytes(registered["topics"][1], "big")
    assert Web3.to_checksum_address(registered["topics"][3][-20:]) == address
    end_time, frequency = decode(["uint256", "uint256"], registered["data"])
    assert frequency == 60
    # SchedulerParams.end_time is wall clock + duration: far after the devnet's 2025 clock
    assert wall_before + 7200 <= end_time <= wall_after + 7200
    assert end_time > registered_at + 7200

    workflow_abi = json.loads(
        (official.package_dir / "abi" / "PriceHistoryInference.abi").read_text()
    )
    workflow = web3.eth.contract(address=address, abi=workflow_abi)
    assert workflow.functions.inputQuery().call() == ["ETH", "USD", 10, 1, 0]
    assert workflow.functions.historicalContract().call() == (
        "0x00000000000000000000000000000000000000F5"
    )

    # --- the clock moves: scheduled runs, each in a block at its due time -------------------
    start_block = web3.eth.block_number
    advanced = rpc(node.url, "og_advanceTime", [600])
    due_times = list(range(registered_at + 60, registered_at + 601, 60))
    assert advanced["runs"] == len(due_times) == 10
    logs = web3.eth.get_logs({
        "address": DEFAULT_SCHEDULER_ADDRESS, "fromBlock": start_block + 1,
        "toBlock": advanced["block"],
        "topics": [TASK_EXECUTED, "0x" + task_id.to_bytes(32, "big").hex()],
    })  # fmt: skip
    runs = []
    for log in logs:
        due, ok, revert_data = decode(["uint256", "bool", "bytes"], log["data"])
        assert ok, revert_data
        runs.append((due, web3.eth.get_block(log["blockNumber"])["timestamp"], log))
    assert [due for due, _, _ in runs] == [t for _, t, _ in runs] == due_times
    emitted = [
        event
        for _, _, log in runs
        for event in workflow.events.InferenceResultEmitted().process_receipt(
            web3.eth.get_transaction_receipt(log["transactionHash"]), errors=DISCARD
        )
    ]
    assert [e["args"]["caller"] for e in emitted] == [DEFAULT_SCHEDULER_ADDRESS] * 10

    # --- read through the client: each run's own candles, the contract's order --------------
    read = [{"op": "read_workflow_history", "address": address, "num": 15}]
    (encoded_history,) = official.run(node.url, read)
    history = plain(value(encoded_history))
    assert [h["numbers"]["price"] for h in history] == [ohlc_reference(t, 0) for t in due_times]
    assert all(not h["is_simulation_result"] for h in history)
    # og_alpha reads the official client's workflow: the same results, most recent first
    (mine,) = ours(node.url, read, official.form)
    assert_same(reversed_list(value(encoded_history)), value(mine))

    steps = [
        {"op": "run_workflow", "address": address},
        {"op": "new_workflow", "model": cid("ohlc.onnx"), "query": query("DESCENDING"),
         "input_name": OHLC_INPUT, "save_as": "down"},
        {"op": "run_workflow", "address": "$down"},
    ]  # fmt: skip
    ran, _, down = (plain(value(r)) for r in official.run(node.url, steps))
    run_tx, run_receipt, run_time = transactions(
        web3, run_block := web3.eth.block_number - 2, run_block
    )[0]
    assert run_tx["to"] == address and run_tx["gas"] == 30_000_000 and run_tx["type"] == 0
    assert run_receipt["status"] == 1
    assert ran["numbers"]["price"] == ohlc_reference(run_time, 0)
    down_time = web3.eth.get_block("latest")["timestamp"]
    assert down["numbers"]["price"] == ohlc_reference(down_time, 1)
    assert down["numbers"]["price"] != ohlc_reference(down_time, 0)
