"""WorkflowScheduler: register, run each due slot once and in order, record failures, cancel."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from eth_utils import to_checksum_address

from tests.contracts.evm import (
    COUNTER,
    HISTORICAL_PRECOMPILE,
    MODEL_OUTPUT,
    QUERY,
    SCHEDULER,
    TASK,
    Chain,
    code,
    error,
    padded_address,
    raw,
    returning,
    selector,
    topic,
)
from tests.contracts.test_price_history_inference import ARGS, feed, output

WORKFLOW = to_checksum_address("0x" + "c0" * 20)  # counts its runs in slot 0
FAILING = to_checksum_address("0x" + "fa" * 20)  # always reverts
LOUD = to_checksum_address("0x" + "1d" * 20)  # reverts with 5,000 bytes
REASON = error("no candles yet")
LONG_REASON = bytes(range(256)) * 19 + bytes(136)
TASK_EXECUTED = topic("TaskExecuted(uint256,uint256,bool,bytes)")
TASK_COMPLETED = topic("TaskCompleted(uint256)")


@pytest.fixture
def chain() -> Chain:
    return Chain(
        {
            SCHEDULER: code("WorkflowScheduler"),
            WORKFLOW: COUNTER,
            FAILING: returning(REASON, revert=True),
            LOUD: returning(LONG_REASON, revert=True),
            HISTORICAL_PRECOMPILE: feed(),
        }
    )


def send(chain: Chain, signature: str, types: list[str], args: list, sender: int = 0) -> dict:
    return chain.transact(SCHEDULER, selector(signature) + encode(types, args), sender=sender)


def register(chain: Chain, target: str, end: int, frequency: int, sender: int = 0) -> int:
    data = selector("registerTask(address,uint256,uint256)") + encode(
        ["address", "uint256", "uint256"], [target, end, frequency]
    )
    task_id = decode(["uint256"], chain.call(SCHEDULER, data, sender=sender))[0]
    receipt = chain.transact(SCHEDULER, data, sender=sender)
    assert receipt["status"] == 1
    return task_id


def execute(chain: Chain, task_id: int) -> dict:
    return send(chain, "executeTask(uint256)", ["uint256"], [task_id])


def refused(chain: Chain, signature: str, types: list[str], args: list, sender: int = 0) -> str:
    out = chain.revert_data(SCHEDULER, selector(signature) + encode(types, args), sender=sender)
    assert out[:4] == selector("Error(string)")
    return decode(["string"], out[4:])[0]


def task(chain: Chain, task_id: int) -> dict:
    data = selector("getTask(uint256)") + encode(["uint256"], [task_id])
    values = decode([TASK], chain.call(SCHEDULER, data))[0]
    keys = ["owner", "contract", "end", "frequency", "next", "runs", "failures", "active"]
    return dict(zip(keys, values, strict=True))


def runs_of_workflow(chain: Chain) -> int:
    return int(chain.tester.get_storage_at(WORKFLOW, "0x0"), 16)


def test_registration(chain: Chain) -> None:
    now = chain.now
    args = [WORKFLOW, now + 3600, 60]
    receipt = send(
        chain, "registerTask(address,uint256,uint256)", ["address"] + ["uint256"] * 2, args, 1
    )
    registered_at = chain.tester.get_block_by_number(receipt["block_number"])["timestamp"]
    [log] = receipt["logs"]
    assert [raw(t) for t in log["topics"]] == [
        topic("TaskRegistered(uint256,address,address,uint256,uint256)"),
        (0).to_bytes(32, "big"),
        padded_address(chain.accounts[1]),
        padded_address(WORKFLOW),
    ]
    assert decode(["uint256", "uint256"], raw(log["data"])) == (now + 3600, 60)
    assert task(chain, 0) == {
        "owner": chain.accounts[1].lower(),
        "contract": WORKFLOW.lower(),
        "end": now + 3600,
        "frequency": 60,
        "next": registered_at + 60,
        "runs": 0,
        "failures": 0,
        "active": True,
    }
    assert register(chain, FAILING, now + 3600, 10) == 1
    assert decode(["uint256"], chain.call(SCHEDULER, selector("taskCount()"))) == (2,)
    assert receipt["gas_used"] < 300_000  # the public client sends it with 300,000 gas


def test_registration_is_checked(chain: Chain) -> None:
    now = chain.now
    sig, types = "registerTask(address,uint256,uint256)", ["address", "uint256", "uint256"]
    nobody = chain.accounts[2]
    assert refused(chain, sig, types, [nobody, now + 100, 10]) == (
        "WorkflowScheduler: contractAddress has no code"
    )
    assert refused(chain, sig, types, [WORKFLOW, now + 100, 0]).startswith(
        "WorkflowScheduler: frequency"
    )
    assert refused(chain, sig, types, [WORKFLOW, now - 1, 10]).startswith(
        "WorkflowScheduler: endTime"
    )


def test_each_due_slot_runs_once_in_order_until_the_end(chain: Chain) -> None:
    task_id = register(chain, WORKFLOW, chain.now + 250, 100)
    start = task(chain, task_id)["next"] - 100
    assert refused(chain, "executeTask(uint256)", ["uint256"], [task_id]) == (
        "WorkflowScheduler: task is not due"
    )
    # Two slots fall due at once: they run one call each, in order.
    chain.time_travel(start + 230)
    for due in (start + 100, start + 200):
        receipt = execute(chain, task_id)
        assert receipt["status"] == 1
        executed = receipt["logs"][0]
        assert [raw(t) for t in executed["topics"]] == [TASK_EXECUTED, task_id.to_bytes(32, "big")]
        assert decode(["uint256", "bool", "bytes"], raw(executed["data"])) == (due, True, b"")
    assert runs_of_workflow(chain) == 2
    # The next slot, start + 300, is after the end: the task is complete.
    assert [raw(t) for t in receipt["logs"][1]["topics"]] == [
        TASK_COMPLETED,
        task_id.to_bytes(32, "big"),
    ]
    assert task(chain, task_id)["runs"] == 2
    assert task(chain, task_id)["active"] is False
    assert refused(chain, "executeTask(uint256)", ["uint256"], [task_id]) == (
        "WorkflowScheduler: task is not active"
    )


def test_a_slot_that_is_not_due_cannot_run(chain: Chain) -> None:
    task_id = register(chain, WORKFLOW, chain.now + 1000, 100)
    due = task(chain, task_id)["next"]
    chain.time_travel(due)
    assert execute(chain, task_id)["status"] == 1
    assert refused(chain, "executeTask(uint256)", ["uint256"], [task_id]) == (
        "WorkflowScheduler: task is not due"
    )
    assert task(chain, task_id)["next"] == due + 100
    assert runs_of_workflow(chain) == 1


def test_a_failing_run_is_recorded_and_does_not_revert(chain: Chain) -> None:
    task_id = register(chain, FAILING, chain.now + 1000, 100)
    due = task(chain, task_id)["next"]
    chain.time_travel(due)
    receipt = execute(chain, task_id)
    assert receipt["status"] == 1
    [log] = receipt["logs"]
    assert decode(["uint256", "bool", "bytes"], raw(log["data"])) == (due, False, REASON)
    t = task(chain, task_id)
    assert (t["runs"], t["failures"], t["next"], t["active"]) == (0, 1, due + 100, True)


def test_only_the_owner_cancels(chain: Chain) -> None:
    task_id = register(chain, WORKFLOW, chain.now + 1000, 100, sender=1)
    sig = "cancelTask(uint256)"
    assert refused(chain, sig, ["uint256"], [task_id], sender=2) == (
        "WorkflowScheduler: only the task's owner can cancel it"
    )
    receipt = send(chain, sig, ["uint256"], [task_id], sender=1)
    assert [raw(t) for t in receipt["logs"][0]["topics"]] == [
        topic("TaskCancelled(uint256)"),
        task_id.to_bytes(32, "big"),
    ]
    assert task(chain, task_id)["active"] is False
    chain.time_travel(task(chain, task_id)["next"])
    assert refused(chain, "executeTask(uint256)", ["uint256"], [task_id]) == (
        "WorkflowScheduler: task is not active"
    )
    assert refused(chain, sig, ["uint256"], [task_id], sender=1) == (
        "WorkflowScheduler: task is not active"
    )
    assert refused(chain, sig, ["uint256"], [7], sender=1) == "WorkflowScheduler: unknown task"


def test_tasks_are_listed_by_page(chain: Chain) -> None:
    ids = [register(chain, WORKFLOW, chain.now + 1000, f) for f in (10, 20, 30)]
    assert ids == [0, 1, 2]

    def page(offset: int, limit: int) -> list[int]:
        data = selector("getTasks(uint256,uint256)") + encode(
            ["uint256", "uint256"], [offset, limit]
        )
        return [t[3] for t in decode([f"{TASK}[]"], chain.call(SCHEDULER, data))[0]]

    assert page(0, 10) == [10, 20, 30]
    assert page(1, 1) == [20]
    assert page(2, 2**256 - 1) == [30]
    assert page(3, 5) == []
    assert page(2**256 - 1, 2**256 - 1) == []


def test_execution_is_cheap(chain: Chain) -> None:
    task_id = register(chain, WORKFLOW, chain.now + 1000, 100)
    chain.time_travel(task(chain, task_id)["next"])
    with chain.count_opcodes() as executed:
        assert execute(chain, task_id)["status"] == 1
    assert executed[SCHEDULER] < 400, executed


def test_long_revert_data_is_cut(chain: Chain) -> None:
    task_id = register(chain, LOUD, chain.now + 1000, 100)
    chain.time_travel(task(chain, task_id)["next"])
    receipt = execute(chain, task_id)
    assert receipt["status"] == 1
    _, success, revert_data = decode(["uint256", "bool", "bytes"], raw(receipt["logs"][0]["data"]))
    assert (success, revert_data) == (False, LONG_REASON[:1024])


def test_it_runs_a_price_history_workflow(chain: Chain) -> None:
    workflow, _ = chain.deploy("PriceHistoryInference", ["string", "string", QUERY], ARGS)
    task_id = register(chain, workflow, chain.now + 1000, 100)
    chain.time_travel(task(chain, task_id)["next"])
    receipt = execute(chain, task_id)
    assert decode(["uint256", "bool", "bytes"], raw(receipt["logs"][-1]["data"]))[1] is True
    result = chain.call(workflow, selector("getInferenceResult()"))
    assert decode([MODEL_OUTPUT], result)[0] == output(receipt["block_number"])
