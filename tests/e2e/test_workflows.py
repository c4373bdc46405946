"""Workflows on the devnet: deployment, manual and scheduled runs, history, failures."""

from __future__ import annotations

import numpy as np
import pytest
from eth_abi import decode, encode
from web3.exceptions import ContractLogicError

from og_alpha import (
    WORKFLOW_SCHEDULER_ADDRESS,
    CandleOrder,
    HistoricalInputQuery,
    InputError,
    ModelOutput,
    SchedulerParams,
    WorkflowError,
    wire,
)
from og_devnet import Devnet
from tests.conftest import MODELS, OHLC_TYPES, run_onnx


def eth_query(
    total: int = 10,
    pair: tuple[str, str] = ("ETH", "USD"),
    duration: int = 1,
    order: CandleOrder = CandleOrder.ASCENDING,
) -> HistoricalInputQuery:
    return HistoricalInputQuery(pair[0], pair[1], total, duration, order, OHLC_TYPES)


def deploy(
    devnet: Devnet,
    schedule: SchedulerParams | None = None,
    model: str = "ohlc.onnx",
    query: HistoricalInputQuery | None = None,
    account: int = 0,
) -> str:
    cid = devnet.models.add(MODELS / model)
    return devnet.alpha(account).new_workflow(
        cid, query or eth_query(), "open_high_low_close", schedule
    )


def expected_at(
    devnet: Devnet,
    block_time: int,
    query: HistoricalInputQuery | None = None,
    model: str = "ohlc.onnx",
) -> np.ndarray:
    """The model run directly with onnxruntime on the candles a run at block_time sees."""
    q = query or eth_query()
    candles = devnet.prices.candles(
        q.base, q.quote, q.candle_duration_in_mins, q.total_candles, end=block_time
    )
    tensor = candles.tensor([int(t) for t in q.candle_types], int(q.order)).astype(np.float32)
    return run_onnx(model, {"open_high_low_close": tensor})["price"]


def result_times(devnet: Devnet, address: str) -> list[int]:
    """Block times of the workflow's stored results, oldest first."""
    logs = devnet.web3.eth.get_logs(
        {
            "address": address,
            "fromBlock": 0,
            "topics": ["0x" + wire.WORKFLOW_RESULT_EMITTED_TOPIC.hex()],
        }
    )
    return [devnet.web3.eth.get_block(lg["blockNumber"])["timestamp"] for lg in logs]


def test_scheduled_workflow_runs_every_minute_and_history_matches_onnxruntime(
    og_devnet: Devnet,
) -> None:
    alpha = og_devnet.alpha()
    address = deploy(og_devnet, SchedulerParams(frequency=60, duration_hours=2))
    registered = og_devnet.now
    assert len(og_devnet.advance(3600)) == 60
    times = result_times(og_devnet, address)
    assert len(times) == 60
    assert times == [registered + 60 * k for k in range(1, 61)]  # each at its due time
    history = alpha.read_workflow_history(address, 5)
    assert len(history) == 5
    for output, block_time in zip(history, reversed(times[-5:]), strict=True):
        want = expected_at(og_devnet, block_time)
        np.testing.assert_array_equal(output.numbers["price"].astype(np.float32), want)
        assert output.is_simulation_result is False
    assert len(alpha.read_workflow_history(address, 1000)) == 60
    assert alpha.read_workflow_result(address) == history[0]


def test_history_is_most_recent_first_when_first_and_last_results_are_equal(
    og_devnet: Devnet,
) -> None:
    """Runs giving A, B, C, A: the contract holds them oldest first and the SDK reverses
    them, knowing the order; a guess from comparing the ends would see A == A and keep
    the contract's order."""
    cid = og_devnet.models.add(MODELS / "ohlc.onnx")
    alpha = og_devnet.alpha()
    address = alpha.new_workflow(cid, eth_query(), "open_high_low_close")
    for price in (1.5, 2.5, 3.5, 1.5):
        og_devnet.faults.set_output(cid, {"price": np.array([price], np.float32)})
        assert alpha.run_workflow(address).numbers["price"].tolist() == [price]
    history = alpha.read_workflow_history(address, 4)
    assert [o.numbers["price"].tolist() for o in history] == [[1.5], [3.5], [2.5], [1.5]]
    assert [o.numbers["price"].tolist() for o in alpha.read_workflow_history(address, 3)] == [
        [1.5],
        [3.5],
        [2.5],
    ]
    assert alpha.read_workflow_history(address, 1) == [alpha.read_workflow_result(address)]


def test_no_runs_after_the_end_time(og_devnet: Devnet) -> None:
    address = deploy(og_devnet, SchedulerParams(frequency=600, duration_hours=1))
    assert len(og_devnet.advance(5 * 3600)) == 6
    assert len(og_devnet.advance(3600)) == 0
    assert len(result_times(og_devnet, address)) == 6
    task = og_devnet.scheduler.tasks()[-1]
    assert (task.runs, task.failures, task.active) == (6, 0, False)


def _scenario(devnet: Devnet) -> tuple:
    a = deploy(devnet, SchedulerParams(frequency=120, duration_hours=1))
    b = deploy(devnet, SchedulerParams(frequency=300, duration_hours=1), account=1)
    devnet.advance(1800)
    devnet.alpha(2).run_workflow(a)
    devnet.advance(3600)
    histories = [
        [o.numbers["price"].tolist() for o in devnet.alpha().read_workflow_history(x, 50)]
        for x in (a, b)
    ]
    blocks = [devnet.web3.eth.get_block(n)["hash"] for n in range(devnet.block_number + 1)]
    return histories, blocks


def test_two_devnets_give_identical_histories_and_block_hashes() -> None:
    first, second = _scenario(Devnet()), _scenario(Devnet())
    assert first == second
    assert len(first[0][0]) == 31 and len(first[0][1]) == 12


def test_run_workflow_returns_what_read_workflow_result_reads(og_devnet: Devnet) -> None:
    alpha = og_devnet.alpha()
    address = deploy(og_devnet)
    assert alpha.read_workflow_result(address) == ModelOutput()  # empty before the first run
    output = alpha.run_workflow(address)
    assert output.numbers["price"].shape == (1,)
    assert alpha.read_workflow_result(address) == output
    block_time = og_devnet.web3.eth.get_block("latest")["timestamp"]
    np.testing.assert_array_equal(
        output.numbers["price"].astype(np.float32), expected_at(og_devnet, block_time)
    )


def test_workflow_getters_describe_the_workflow(og_devnet: Devnet) -> None:
    address = deploy(og_devnet, query=eth_query(12, duration=5, order=CandleOrder.DESCENDING))
    w3 = og_devnet.web3

    def call(signature: str, out: list[str]) -> tuple:
        return decode(out, w3.eth.call({"to": address, "data": wire.selector(signature)}))

    assert call("historicalContract()", ["address"])[0].lower().endswith("f5")
    assert call("inputName()", ["string"]) == ("open_high_low_close",)
    assert call("inputQuery()", ["string", "string", "uint32", "uint32", "uint8"]) == (
        "ETH",
        "USD",
        12,
        5,
        1,
    )
    assert call("modelId()", ["string"])[0].startswith("Qm")


def test_unknown_model_reverts_with_reason_and_leaves_history(og_devnet: Devnet) -> None:
    alpha = og_devnet.alpha()
    good = deploy(og_devnet)
    alpha.run_workflow(good)
    bad = alpha.new_workflow("QmNoSuchModel", eth_query(), "open_high_low_close")
    with pytest.raises(WorkflowError, match="unknown model CID 'QmNoSuchModel'") as info:
        alpha.run_workflow(bad)
    assert info.value.reason and "QmNoSuchModel" in info.value.reason
    assert alpha.read_workflow_result(bad) == ModelOutput()


def test_a_failing_scheduled_run_is_recorded_and_others_go_on(og_devnet: Devnet) -> None:
    alpha = og_devnet.alpha()
    bad = alpha.new_workflow(
        "QmNoSuchModel",
        eth_query(),
        "open_high_low_close",
        SchedulerParams(frequency=60, duration_hours=1),
    )
    good = deploy(og_devnet, SchedulerParams(frequency=60, duration_hours=1))
    assert len(og_devnet.advance(600)) == 20
    bad_task, good_task = og_devnet.scheduler.tasks()[-2:]
    assert (bad_task.runs, bad_task.failures) == (0, 10)
    assert (good_task.runs, good_task.failures) == (10, 0)
    assert alpha.read_workflow_result(bad) == ModelOutput()
    assert len(alpha.read_workflow_history(good, 100)) == 10
    logs = og_devnet.web3.eth.get_logs(
        {
            "address": WORKFLOW_SCHEDULER_ADDRESS,
            "fromBlock": 0,
            "topics": [
                "0x" + wire.topic("TaskExecuted(uint256,uint256,bool,bytes)").hex(),
                "0x" + (bad_task.task_id).to_bytes(32, "big").hex(),
            ],
        }
    )
    due, success, revert_data = decode(["uint256", "bool", "bytes"], bytes(logs[0]["data"]))
    assert success is False and "QmNoSuchModel" in wire.decode_revert_reason(revert_data)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (eth_query(pair=("DOGE", "EUR")), "unknown pair DOGE/EUR"),
        (eth_query(total=10_000, duration=60), "not enough ETH/USD history"),
    ],
)
def test_bad_queries_are_clear_errors(
    og_devnet: Devnet, query: HistoricalInputQuery, problem: str
) -> None:
    address = deploy(og_devnet, query=query)
    with pytest.raises(WorkflowError, match=problem):
        og_devnet.alpha().run_workflow(address)


def test_more_history_than_loaded_data_is_an_error(og_devnet: Devnet) -> None:
    start = og_devnet.now - og_devnet.now % 60 - 5 * 60  # 5 candles of history, then on
    rows = [[start + 60 * i, 10, 11, 9, 10.5, 1] for i in range(70)]
    og_devnet.prices.set_candles("TST", "USD", 1, rows)
    address = deploy(og_devnet, query=eth_query(pair=("TST", "USD")))
    with pytest.raises(WorkflowError, match="not enough TST/USD 1m history"):
        og_devnet.alpha().run_workflow(address)


def test_bad_arguments_are_input_errors(og_devnet: Devnet) -> None:
    alpha = og_devnet.alpha()
    address = deploy(og_devnet)
    with pytest.raises(InputError, match="total_candles"):
        alpha.new_workflow("QmX", eth_query(total=0), "x")
    with pytest.raises(InputError, match="candle_types"):
        alpha.new_workflow("QmX", HistoricalInputQuery("ETH", "USD", 5, 1, 0, []), "x")
    with pytest.raises(InputError, match="frequency"):
        alpha.new_workflow("QmX", eth_query(), "x", SchedulerParams(0, 1))
    block = og_devnet.block_number
    # outside the enums: the network's contract would revert without a reason
    with pytest.raises(InputError, match=r"order must be a CandleOrder .*got 5"):
        alpha.new_workflow("QmX", HistoricalInputQuery("ETH", "USD", 5, 1, 5, OHLC_TYPES), "x")
    with pytest.raises(InputError, match=r"candle_types must be CandleTypes .*\[2, 9\]"):
        alpha.new_workflow("QmX", HistoricalInputQuery("ETH", "USD", 5, 1, 0, [2, 9]), "x")
    with pytest.raises(InputError, match="input_query must be a HistoricalInputQuery, got tuple"):
        alpha.new_workflow("QmX", ("ETH", "USD", 5, 1, 0, [2]), "x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="scheduler_params must be a SchedulerParams, got dict"):
        alpha.new_workflow("QmX", eth_query(), "x", {"frequency": 60})  # type: ignore[arg-type]
    assert og_devnet.block_number == block  # nothing was sent
    for n in (0, -3):
        with pytest.raises(InputError, match="num_results must be a positive int"):
            alpha.read_workflow_history(address, n)


def test_reading_an_address_without_a_workflow_says_so(og_devnet: Devnet) -> None:
    alpha = og_devnet.alpha()
    with pytest.raises(WorkflowError, match="no workflow at .*holds no contract"):
        alpha.read_workflow_result(og_devnet.accounts[3].address)
    with pytest.raises(WorkflowError, match="not a workflow|reverted"):
        alpha.read_workflow_history(WORKFLOW_SCHEDULER_ADDRESS, 2)
    with pytest.raises(InputError, match="not an address"):
        alpha.read_workflow_result("0x1234")


def test_failed_registration_is_an_error_naming_the_workflow(
    og_devnet: Devnet, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = og_devnet.models.add(MODELS / "ohlc.onnx")
    # a schedule that ends in the past cannot register: the deploy is kept, the error says so
    monkeypatch.setattr(SchedulerParams, "ends_at", lambda self, now: now - 10)
    with pytest.raises(WorkflowError, match="deployed at 0x.*not registered.*endTime") as info:
        og_devnet.alpha().new_workflow(
            cid, eth_query(), "open_high_low_close", SchedulerParams(60, 1)
        )
    assert isinstance(info.value, ContractLogicError)  # what the official client raises
    assert og_devnet.scheduler.tasks() == []


def test_cancelled_task_stops_and_only_its_owner_may_cancel(og_devnet: Devnet) -> None:
    address = deploy(og_devnet, SchedulerParams(frequency=60, duration_hours=1))
    task_id = og_devnet.scheduler.tasks()[-1].task_id
    data = wire.selector("cancelTask(uint256)") + encode(["uint256"], [task_id])
    w3 = og_devnet.web3
    with pytest.raises(Exception, match="only the task's owner"):
        w3.eth.call(
            {"from": og_devnet.accounts[1].address, "to": WORKFLOW_SCHEDULER_ADDRESS, "data": data}
        )
    og_devnet.advance(120)
    w3.eth.send_transaction(
        {"from": og_devnet.accounts[0].address, "to": WORKFLOW_SCHEDULER_ADDRESS, "data": data}
    )
    og_devnet.advance(600)
    assert len(result_times(og_devnet, address)) == 2


def test_runs_due_at_the_same_second_share_a_block_in_registration_order(og_devnet: Devnet) -> None:
    first = deploy(og_devnet)
    second = deploy(og_devnet, account=1)
    end = og_devnet.now + 3600
    signed = []
    for index, address in ((0, first), (1, second)):
        data = wire.SCHEDULER_REGISTER_TASK + encode(
            ["address", "uint256", "uint256"], [address, end, 60]
        )
        signed.append(
            og_devnet.accounts[index].sign_transaction(
                {
                    "to": WORKFLOW_SCHEDULER_ADDRESS,
                    "data": data,
                    "gas": 300_000,
                    "nonce": og_devnet.web3.eth.get_transaction_count(
                        og_devnet.accounts[index].address
                    ),
                    "gasPrice": og_devnet.web3.eth.gas_price,
                    "chainId": og_devnet.chain_id,
                }
            )
        )
    # both registrations in one block: their runs fall due at the same second
    og_devnet.mine_block([tx.raw_transaction for tx in signed])
    og_devnet.advance(60)
    a, b = result_times(og_devnet, first), result_times(og_devnet, second)
    assert a == b and len(a) == 1
    logs = og_devnet.web3.eth.get_logs(
        {
            "fromBlock": 0,
            "address": [first, second],
            "topics": ["0x" + wire.WORKFLOW_RESULT_EMITTED_TOPIC.hex()],
        }
    )
    assert [lg["address"] for lg in logs] == [first, second]
    assert logs[0]["blockNumber"] == logs[1]["blockNumber"]


def test_time_never_moves_backwards(og_devnet: Devnet) -> None:
    from og_devnet import DevnetError

    og_devnet.advance(100)
    with pytest.raises(DevnetError, match="never moves backwards"):
        og_devnet.advance_to(og_devnet.now - 1)
    with pytest.raises(DevnetError, match="non-negative"):
        og_devnet.advance(-5)
    before = og_devnet.now
    og_devnet.advance(0)
    assert og_devnet.now == before


def test_genesis_time_is_settable() -> None:
    devnet = Devnet(genesis_time=1_800_000_000)
    assert devnet.now == 1_800_000_000
    assert devnet.web3.eth.get_block(0)["timestamp"] == 1_800_000_000
