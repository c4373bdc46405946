"""PriceHistoryInference: the constructor's query goes to the price-feed precompile on every
run, results are kept as returned and read back as the network's contract reads them: the
last ones oldest first, none for 0 (a revert), the query's enums checked."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode

from tests.contracts.evm import (
    EMPTY_OUTPUT,
    HISTORICAL_PRECOMPILE,
    MODEL_OUTPUT,
    QUERY,
    SILENT,
    Chain,
    checking_calldata,
    code,
    error,
    padded_address,
    raw,
    returning,
    selector,
    topic,
)

CID = "QmRhcpDXfYCKsimTmJYrAVM4Bbvck59Zb2onj3MHv9Kw5N"
QUERY_VALUE = ("ETH", "USD", 10, 30, 1, [2, 0, 1, 3])
ARGS = [CID, "open_high_low_close", QUERY_VALUE]
CALLDATA = selector(f"runInferenceOnPriceFeed(string,string,{QUERY})") + encode(
    ["string", "string", QUERY], ARGS
)
RESULT_EMITTED = topic(f"InferenceResultEmitted(address,{MODEL_OUTPUT})")
MARK = 0x5EED_5EED_5EED


def output(value: int, *, numbers: int = 1) -> tuple:
    """A ModelOutput whose first number is ``value``."""
    values = ((value, 2),) + tuple((-i, i % 5) for i in range(1, numbers))
    return (
        (("prediction", values, (1, numbers)),),
        (("direction", ("up",)),),
        (("meta", '{"pair": "ETH/USD"}'),),
        False,
    )


def feed(numbers: int = 1) -> bytes:
    """A price-feed precompile stand-in: refuses any call data but the workflow's, answers
    ``output(block.number)``."""
    encoded = encode([MODEL_OUTPUT], [output(MARK, numbers=numbers)])
    at = encoded.index(MARK.to_bytes(32, "big"))
    return checking_calldata(CALLDATA, returning(encoded, block_number_at=at))


def deploy(chain: Chain) -> str:
    address, _ = chain.deploy("PriceHistoryInference", ["string", "string", QUERY], ARGS)
    return address


def last(chain: Chain, workflow: str, num: int) -> list:
    data = selector("getLastInferenceResults(uint256)") + encode(["uint256"], [num])
    return list(decode([f"{MODEL_OUTPUT}[]"], chain.call(workflow, data))[0])


def latest(chain: Chain, workflow: str):
    return decode([MODEL_OUTPUT], chain.call(workflow, selector("getInferenceResult()")))[0]


def count(chain: Chain, workflow: str) -> int:
    return len(last(chain, workflow, 2**256 - 1))


NOT_POSITIVE = error("Number of results must be positive")


def run(chain: Chain, workflow: str, sender: int = 0) -> dict:
    receipt = chain.transact(workflow, selector("run()"), sender=sender)
    assert receipt["status"] == 1
    return receipt


def test_getters() -> None:
    chain = Chain({HISTORICAL_PRECOMPILE: feed()})
    workflow = deploy(chain)

    def get(signature: str, types: list[str]):
        return decode(types, chain.call(workflow, selector(signature)))

    assert get("modelId()", ["string"]) == (CID,)
    assert get("inputName()", ["string"]) == ("open_high_low_close",)
    assert get("inputQuery()", ["string", "string", "uint32", "uint32", "uint8"]) == (
        "ETH",
        "USD",
        10,
        30,
        1,
    )
    assert get("historicalContract()", ["address"]) == (HISTORICAL_PRECOMPILE.lower(),)


def test_before_the_first_run_results_are_empty() -> None:
    chain = Chain({HISTORICAL_PRECOMPILE: feed()})
    workflow = deploy(chain)
    assert count(chain, workflow) == 0
    assert latest(chain, workflow) == EMPTY_OUTPUT
    assert last(chain, workflow, 5) == []
    data = selector("getLastInferenceResults(uint256)") + encode(["uint256"], [0])
    assert chain.revert_data(workflow, data) == NOT_POSITIVE


def test_runs_are_kept_and_read_back_oldest_first() -> None:
    chain = Chain({HISTORICAL_PRECOMPILE: feed()})
    workflow = deploy(chain)
    first = run(chain, workflow, sender=1)
    second = run(chain, workflow, sender=2)
    b1, b2 = first["block_number"], second["block_number"]
    assert b1 != b2
    for receipt, block, sender in ((first, b1, 1), (second, b2, 2)):
        [log] = receipt["logs"]
        assert log["address"] == workflow
        assert [raw(t) for t in log["topics"]] == [
            RESULT_EMITTED,
            padded_address(chain.accounts[sender]),
        ]
        assert decode([MODEL_OUTPUT], raw(log["data"]))[0] == output(block)
    assert count(chain, workflow) == 2
    assert latest(chain, workflow) == output(b2)
    assert last(chain, workflow, 1) == [output(b2)]
    assert last(chain, workflow, 2) == [output(b1), output(b2)]
    assert last(chain, workflow, 5) == [output(b1), output(b2)]
    assert last(chain, workflow, 2**256 - 1) == [output(b1), output(b2)]
    b3 = run(chain, workflow)["block_number"]
    assert last(chain, workflow, 2) == [output(b2), output(b3)]  # the last two, oldest first
    data = selector("getLastInferenceResults(uint256)") + encode(["uint256"], [0])
    assert chain.revert_data(workflow, data) == NOT_POSITIVE


def test_results_too_big_for_one_data_contract_span_several() -> None:
    """900 numbers are 58 kB of ABI: three chunks of 24 kB, chained."""
    chain = Chain({HISTORICAL_PRECOMPILE: feed(numbers=900)})
    workflow = deploy(chain)
    b1 = run(chain, workflow)["block_number"]
    b2 = run(chain, workflow)["block_number"]
    assert latest(chain, workflow) == output(b2, numbers=900)
    assert last(chain, workflow, 3) == [output(b1, numbers=900), output(b2, numbers=900)]


def test_a_failing_precompile_call_reverts_with_its_reason() -> None:
    reason = error("no ETH/USD candles before 2025-01-01T00:00:00Z")
    chain = Chain({HISTORICAL_PRECOMPILE: returning(reason, revert=True)})
    workflow = deploy(chain)
    assert chain.revert_data(workflow, selector("run()")) == reason
    assert chain.transact(workflow, selector("run()"), gas=1_000_000)["status"] == 0
    assert count(chain, workflow) == 0


@pytest.mark.parametrize(
    "query",
    [("ETH", "USD", 10, 30, 2, [2]), ("ETH", "USD", 10, 30, 0, [2, 5])],
    ids=["order 2", "candle type 5"],
)
def test_a_query_outside_the_enums_is_refused_at_deployment(query: tuple) -> None:
    """As by the network's contract: its query's order and candle types are enums, which
    Solidity's decoder checks (a revert without data)."""
    chain = Chain({HISTORICAL_PRECOMPILE: feed()})
    data = code("PriceHistoryInference", deployed=False) + encode(
        ["string", "string", QUERY], [CID, "x", query]
    )
    assert chain.transact(None, data, gas=3_000_000)["status"] == 0


@pytest.mark.parametrize(
    "answer",
    [SILENT, returning(b"\x00" * 31 + b"\x20" + b"\x00" * 64), returning(b"\x01" * 256)],
    ids=["nothing", "too short", "not a tuple"],
)
def test_an_answer_that_is_no_model_output_is_refused(answer: bytes) -> None:
    chain = Chain({HISTORICAL_PRECOMPILE: answer})
    workflow = deploy(chain)
    assert chain.revert_data(workflow, selector("run()")) == error(
        "PriceHistoryInference: malformed precompile output"
    )


def test_deployment_and_run_cost() -> None:
    """Well below the real contract's 4.2M gas to deploy; a run does not decode anything."""
    chain = Chain({HISTORICAL_PRECOMPILE: feed()})
    _, deploy_gas = chain.deploy("PriceHistoryInference", ["string", "string", QUERY], ARGS)
    assert deploy_gas < 2_000_000
    workflow = deploy(chain)
    run(chain, workflow)
    with chain.count_opcodes() as executed:
        receipt = run(chain, workflow)
    assert executed[workflow] < 400, executed
    assert receipt["gas_used"] < 500_000
