"""InferenceHub forwards `run` to the inference precompile as bytes and logs what comes back."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode

from tests.contracts.evm import (
    ECHO,
    ECHO_REVERT,
    HUB,
    INFERENCE_PRECOMPILE,
    MODEL_INPUT,
    MODEL_OUTPUT,
    REQUEST,
    Chain,
    as_tuples,
    code,
    error,
    raw,
    returning,
    selector,
    topic,
)

RUN = selector(f"run(string,uint8,{MODEL_INPUT})")
RUN_MODEL_INFERENCE = selector(f"runModelInference({REQUEST})")
INFERENCE_RESULT = topic(f"InferenceResult({MODEL_OUTPUT})")
CID = "QmbUqS93oc4JTLMHwpVxsE39pb5nUYE9yG7XFcXu3bnj6J"


def model_input(n: int) -> tuple:
    numbers = [(i * 7 - 13, i % 4) for i in range(n)]
    return (
        [("x", numbers, [1, n]), ("bias", [(-5, 1)], [1])],
        [("labels", ["up", "down", "ünïcödé"])],
    )


def run_data(model_id: str, mode: int, inp: tuple) -> bytes:
    return RUN + encode(["string", "uint8", MODEL_INPUT], [model_id, mode, inp])


def hub_chain(precompile: bytes) -> Chain:
    return Chain({HUB: code("InferenceHub"), INFERENCE_PRECOMPILE: precompile})


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_run_sends_the_request_to_the_precompile(mode: int) -> None:
    """With a precompile that returns its call data, `run` returns (and logs) the request."""
    chain = hub_chain(ECHO)
    inp = model_input(40)
    receipt = chain.transact(HUB, run_data(CID, mode, inp))
    assert receipt["status"] == 1
    [log] = receipt["logs"]
    assert log["address"] == HUB
    assert [raw(t) for t in log["topics"]] == [INFERENCE_RESULT]
    request = raw(log["data"])
    assert request[:4] == RUN_MODEL_INFERENCE
    assert decode([REQUEST], request[4:]) == ((mode, CID, as_tuples(inp)),)
    assert request == RUN_MODEL_INFERENCE + encode([REQUEST], [(mode, CID, inp)])
    assert chain.call(HUB, run_data(CID, mode, inp)) == request


def test_run_returns_and_logs_the_output_as_the_precompile_encoded_it() -> None:
    output = (
        [("y", [(12345, 3), (-2, 0)], [2])],
        [("label", ["up"])],
        [("probabilities", '{"up": 0.7, "down": 0.3}')],
        True,
    )
    encoded = encode([MODEL_OUTPUT], [output])
    chain = hub_chain(returning(encoded))
    data = run_data(CID, 0, model_input(3))
    assert chain.call(HUB, data) == encoded
    receipt = chain.transact(HUB, data)
    [log] = receipt["logs"]
    assert raw(log["data"]) == encoded
    assert decode([MODEL_OUTPUT], raw(log["data"])) == (as_tuples(output),)


def test_a_precompile_revert_comes_back_verbatim() -> None:
    reason = error("model QmNotThere is not in the model hub")
    chain = hub_chain(returning(reason, revert=True))
    assert chain.revert_data(HUB, run_data("QmNotThere", 0, model_input(2))) == reason
    # Not only Error(string): any revert data passes unchanged.
    chain = hub_chain(ECHO_REVERT)
    data = run_data(CID, 1, model_input(2))
    assert chain.revert_data(HUB, data) == RUN_MODEL_INFERENCE + encode(
        [REQUEST], [(1, CID, model_input(2))]
    )
    receipt = chain.transact(HUB, data, gas=1_000_000)
    assert receipt["status"] == 0
    assert not receipt["logs"]


@pytest.mark.parametrize("mode", [3, 255])
def test_an_unknown_mode_is_refused(mode: int) -> None:
    chain = hub_chain(ECHO)
    assert chain.revert_data(HUB, run_data(CID, mode, model_input(1))) == error(
        "InferenceHub: unknown inference mode"
    )
    # A mode word beyond uint8 is no mode either.
    data = bytearray(run_data(CID, 0, model_input(1)))
    data[4 + 32 : 4 + 64] = (2**200).to_bytes(32, "big")
    assert chain.revert_data(HUB, bytes(data)) == error("InferenceHub: unknown inference mode")


def test_malformed_calls_are_refused_with_a_reason() -> None:
    chain = hub_chain(ECHO)
    assert chain.revert_data(HUB, RUN + b"\x00" * 95) == error("InferenceHub: call data too short")
    assert chain.revert_data(HUB, b"") == error("InferenceHub: unknown function")
    assert chain.revert_data(HUB, selector("run()")) == error("InferenceHub: unknown function")


def test_run_does_the_same_work_whatever_the_input_size() -> None:
    """The hub copies the input as bytes: its opcode count does not grow with the input."""
    chain = hub_chain(ECHO)
    counts = {}
    for n in (1, 40, 400):
        with chain.count_opcodes() as executed:
            assert chain.transact(HUB, run_data(CID, 0, model_input(n)))["status"] == 1
        counts[n] = executed[HUB]
    assert counts[1] == counts[40] == counts[400] <= 110, counts
