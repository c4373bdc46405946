"""One clock: however time moves, every workflow run that falls due runs in a block at its
due time, in order, and each way gives the same history."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from og_alpha import SchedulerParams
from og_devnet import Devnet, DevnetError
from og_devnet.scheduler import ScheduledRunFailed
from tests.e2e.test_workflows import deploy, eth_query


def _history(move: Callable[[Devnet], None]) -> tuple[list, list[int], list]:
    devnet = Devnet()
    address = deploy(devnet, SchedulerParams(frequency=60, duration_hours=2))
    start = devnet.now
    move(devnet)
    runs = devnet.inference_log.scheduled_runs()
    outputs = [
        o.numbers["price"].tolist() for o in devnet.alpha().read_workflow_history(address, 100)
    ]
    return outputs, [r.block_time - start for r in runs], [r.due_time - start for r in runs]


def _rpc(method: str, *params: object) -> Callable[[Devnet], None]:
    return lambda d: d.node.request(method, list(params))


WAYS: dict[str, Callable[[Devnet], None]] = {
    "advance": lambda d: d.advance(1800),
    "og_advanceTime": _rpc("og_advanceTime", 1800),
    "evm_increaseTime + evm_mine": lambda d: (
        _rpc("evm_increaseTime", 1800)(d),
        _rpc("evm_mine")(d),
    ),
    "evm_setNextBlockTimestamp + evm_mine": lambda d: (
        d.node.request("evm_setNextBlockTimestamp", [d.now + 1800]),
        d.node.request("evm_mine", []),
    ),
    "evm_mine(timestamp)": lambda d: d.node.request("evm_mine", [d.now + 1800]),
    "anvil_mine with an interval": _rpc("anvil_mine", "0x1e", "0x3c"),
    "hardhat_mine with an interval": _rpc("hardhat_mine", "0xf", "0x78"),
    "a transaction after evm_increaseTime": lambda d: (
        _rpc("evm_increaseTime", 1800)(d),
        d.node.request(
            "eth_sendTransaction",
            [{"from": d.accounts[3].address, "to": d.accounts[4].address, "value": "0x1"}],
        ),
    ),
}


@pytest.fixture(scope="module")
def reference() -> tuple[list, list[int], list]:
    return _history(WAYS["advance"])


@pytest.mark.parametrize("way", [w for w in WAYS if w != "advance"])
def test_each_way_of_moving_time_gives_the_same_history(way: str, reference: tuple) -> None:
    outputs, block_times, due_times = _history(WAYS[way])
    assert len(reference[0]) == 30
    assert due_times == reference[2] == [60 * k for k in range(1, 31)]
    assert block_times == due_times  # each run in a block at its due time
    assert outputs == reference[0]


def test_failures_are_reported_with_their_reason_and_can_stop_the_clock() -> None:
    devnet = Devnet()
    alpha = devnet.alpha()
    alpha.new_workflow(
        "QmNoSuchModel",
        eth_query(),
        "open_high_low_close",
        SchedulerParams(frequency=60, duration_hours=1),
    )
    deploy(devnet, SchedulerParams(frequency=60, duration_hours=1))
    report = devnet.advance(300)
    assert (len(report), report.succeeded, len(report.failed)) == (10, 5, 5)
    assert all("QmNoSuchModel" in (r.error or "") for r in report.failed)
    assert "5 failed" in report.summary() and "QmNoSuchModel" in report.summary()
    assert len(devnet.inference_log.scheduled_runs(failed_only=True)) == 5
    over_rpc = devnet.node.request("og_scheduledRuns", [{"failedOnly": True}])
    assert len(over_rpc) == 5 and "QmNoSuchModel" in over_rpc[0]["error"]
    before = devnet.now
    with pytest.raises(ScheduledRunFailed, match="QmNoSuchModel") as failure:
        devnet.advance(300, raise_on_failure=True)
    run = failure.value.run
    assert before < run.due_time == run.block_time == devnet.now < before + 300
    # the clock stopped at the failed run: the good workflow's later runs did not happen
    assert devnet.advance(0).runs == []


def test_a_huge_advance_is_refused_at_once_naming_the_limit_and_changes_nothing() -> None:
    devnet = Devnet()
    deploy(devnet, SchedulerParams(frequency=1, duration_hours=10_000))
    head, now = devnet.block_number, devnet.now
    with pytest.raises(DevnetError, match="more than the 100000 allowed at once"):
        devnet.advance(30_000_000)  # 3e7 runs due: counted, never listed
    assert (devnet.block_number, devnet.now) == (head, now)
    assert len(devnet.advance(10)) == 10
