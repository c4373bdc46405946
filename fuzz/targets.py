"""Fuzz targets: random and mutated call data to the precompiles and the contracts.

Each input is sent by ``eth_call`` and as a transaction. A call must end in a result or a
revert, never in another kind of error; a transaction must be mined (status 0 or 1) and must
move no ether but its gas; after a reverted transaction the contracts' state is as before;
and the devnet must still serve a normal inference afterwards. A breach is a finding.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi import encode
from web3.exceptions import ContractLogicError

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    PRICE_FEED_PRECOMPILE_ADDRESS,
    WORKFLOW_SCHEDULER_ADDRESS,
    CandleOrder,
    CandleType,
    HistoricalInputQuery,
    InferenceMode,
    SchedulerParams,
    wire,
)
from og_devnet import Devnet

MODELS = Path(__file__).resolve().parent.parent / "fixtures" / "models"
F4 = "0x00000000000000000000000000000000000000F4"
QUERY = HistoricalInputQuery(
    "ETH",
    "USD",
    10,
    1,
    CandleOrder.ASCENDING,
    [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE],
)
EXTREMES = [0, 1, 2**31, 2**32 - 1, 2**64, 2**127, 2**255, 2**256 - 1, 0x20, 0x40, 10**30]


@dataclass
class Stats:
    calls: int = 0
    transactions: int = 0
    reverts: int = 0
    successes: int = 0
    findings: list[str] = field(default_factory=list)


class World:
    """A devnet with models, a workflow and a schedule: the fuzz targets and their seeds."""

    def __init__(self) -> None:
        self.devnet = Devnet()
        self.alpha = self.devnet.alpha(0)
        self.linear = self.devnet.models.add(MODELS / "linear.onnx")
        ohlc = self.devnet.models.add(MODELS / "ohlc.onnx")
        self.workflow = self.alpha.new_workflow(
            ohlc, QUERY, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=1)
        )
        self.fuzzer = self.devnet.accounts[7]
        self.nonce = 0
        query = QUERY.to_abi_format()
        self.seeds: dict[str, tuple[str, list[bytes]]] = {
            "inference_precompile": (
                F4,
                [
                    wire.RUN_MODEL_INFERENCE
                    + encode(
                        [wire.INFERENCE_REQUEST],
                        [(0, self.linear, wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]}))],
                    )
                ],
            ),
            "price_feed_precompile": (
                PRICE_FEED_PRECOMPILE_ADDRESS,
                [
                    wire.QUERY_HISTORICAL_CANDLES + encode([wire.HISTORICAL_QUERY], [query]),
                    wire.RUN_INFERENCE_ON_PRICE_FEED
                    + encode(
                        wire.RUN_INFERENCE_ON_PRICE_FEED_ARGS, [ohlc, "open_high_low_close", query]
                    ),
                ],
            ),
            "inference_hub": (
                INFERENCE_HUB_ADDRESS,
                [
                    wire.encode_hub_run(
                        self.linear, 0, wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]})
                    )
                ],
            ),
            "workflow": (
                self.workflow,
                [
                    wire.WORKFLOW_RUN,
                    wire.WORKFLOW_GET_RESULT,
                    wire.WORKFLOW_GET_LAST_RESULTS + encode(["uint256"], [3]),
                ],
            ),
            "scheduler": (
                WORKFLOW_SCHEDULER_ADDRESS,
                [
                    wire.SCHEDULER_REGISTER_TASK
                    + encode(["address", "uint256", "uint256"], [self.workflow, 2**40, 60]),
                    wire.selector("executeTask(uint256)") + encode(["uint256"], [0]),
                    wire.selector("cancelTask(uint256)") + encode(["uint256"], [0]),
                    wire.selector("getTasks(uint256,uint256)") + encode(["uint256"] * 2, [0, 5]),
                ],
            ),
        }

    # --- observations ------------------------------------------------------------------------
    def balances(self) -> list[int]:
        return [self.devnet.web3.eth.get_balance(a.address) for a in self.devnet.accounts]

    def views(self) -> tuple[Any, ...]:
        call = self.devnet.call
        return (
            # every stored result (the workflow keeps no count: the network's has none)
            call(self.workflow, wire.WORKFLOW_GET_LAST_RESULTS + encode(["uint256"], [2**256 - 1])),
            call(WORKFLOW_SCHEDULER_ADDRESS, wire.selector("taskCount()")),
            call(
                WORKFLOW_SCHEDULER_ADDRESS,
                wire.selector("getTasks(uint256,uint256)") + encode(["uint256"] * 2, [0, 50]),
            ),
            bytes(self.devnet.web3.eth.get_code(INFERENCE_HUB_ADDRESS)),
        )


def mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.25 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.45 and len(data) >= 36:
            word = 4 + 32 * rng.randrange((len(data) - 4) // 32)
            data[word : word + 32] = rng.choice(EXTREMES).to_bytes(32, "big")
        elif choice < 0.6:
            del data[rng.randrange(len(data) + 1) :]
        elif choice < 0.75:
            data += rng.randbytes(rng.randint(1, 96))
        elif choice < 0.85 and len(data) > 8:
            start = rng.randrange(4, len(data))
            data[start : start + 32] = rng.randbytes(32)
        else:
            data = bytearray(data[:4]) + rng.randbytes(rng.randint(0, 320))
    return bytes(data)


def next_input(rng: random.Random, seeds: list[bytes]) -> bytes:
    if rng.random() < 0.15:
        return rng.randbytes(rng.randint(0, 200))
    return mutate(rng, rng.choice(seeds))


def fuzz_call(world: World, target: str, data: bytes, stats: Stats) -> None:
    address, _ = world.seeds[target]
    stats.calls += 1
    try:
        world.devnet.web3.eth.call({"to": address, "data": data})
        stats.successes += 1
    except ContractLogicError:
        stats.reverts += 1
    except Exception as exc:  # noqa: BLE001 - anything but a revert is a finding
        if "execution" in str(exc).lower() or "out of gas" in str(exc).lower():
            stats.reverts += 1
        else:
            stats.findings.append(f"{target} call 0x{data.hex()[:80]}: {type(exc).__name__}: {exc}")


def fuzz_transaction(world: World, target: str, data: bytes, stats: Stats) -> None:
    address, _ = world.seeds[target]
    web3 = world.devnet.web3
    before_balances, before_views = world.balances(), world.views()
    signed = world.fuzzer.sign_transaction(
        {
            "to": address,
            "data": data,
            "gas": 3_000_000,
            "gasPrice": 2 * 10**9,
            "nonce": world.nonce,
            "chainId": world.devnet.chain_id,
            "value": 0,
        }
    )
    stats.transactions += 1
    try:
        receipt = web3.eth.wait_for_transaction_receipt(
            web3.eth.send_raw_transaction(signed.raw_transaction)
        )
    except Exception as exc:  # noqa: BLE001
        stats.findings.append(f"{target} tx 0x{data.hex()[:80]}: not mined: {exc}")
        return
    world.nonce += 1
    after = world.balances()
    index = world.devnet.accounts.index(world.fuzzer)
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    expected = [b - fee if i == index else b for i, b in enumerate(before_balances)]
    if after != expected:
        stats.findings.append(f"{target} tx 0x{data.hex()[:80]}: balances moved beyond gas")
    if receipt["status"] == 0:
        stats.reverts += 1
        if world.views() != before_views:
            stats.findings.append(f"{target} tx 0x{data.hex()[:80]}: reverted but state changed")
    else:
        stats.successes += 1


def still_serving(world: World, stats: Stats) -> None:
    try:
        result = world.alpha.infer(world.linear, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
        if abs(float(result.model_output["y"][0][0]) - 4.1) > 1e-6:
            stats.findings.append("devnet answers a wrong inference after fuzzing")
    except Exception as exc:  # noqa: BLE001
        stats.findings.append(f"devnet stopped serving inference: {exc}")


def run(
    targets: list[str] | None = None,
    *,
    seed: int = 0,
    inputs: int | None = None,
    seconds: float | None = None,
    transactions_every: int = 4,
    on_target: Callable[[str, Stats], None] | None = None,
) -> dict[str, Stats]:
    """Fuzz each target for ``inputs`` inputs or ``seconds`` seconds (whichever is given)."""
    world = World()
    results: dict[str, Stats] = {}
    for target in targets or list(world.seeds):
        rng = random.Random(f"{seed}:{target}")
        stats = Stats()
        _, seeds = world.seeds[target]
        deadline = time.monotonic() + seconds if seconds else None
        count = 0
        while (inputs is None or count < inputs) and (
            deadline is None or time.monotonic() < deadline
        ):
            data = next_input(rng, seeds)
            fuzz_call(world, target, data, stats)
            if count % transactions_every == 0:
                fuzz_transaction(world, target, data, stats)
            count += 1
        still_serving(world, stats)
        results[target] = stats
        if on_target:
            on_target(target, stats)
    return results
