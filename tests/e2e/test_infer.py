"""Alpha.infer() against the in-process devnet: real EVM, real onnxruntime, real contracts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from eth_abi import encode

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    InferenceError,
    InferenceMode,
    InferenceResult,
    InputError,
    OpenGradientError,
    wire,
)
from og_alpha.contracts import bytecode
from og_devnet import Devnet, ModelError
from tests.conftest import MODELS, run_onnx

OHLC = np.array(
    [[3300.5 + i, 3310.25 + i, 3295.0 + i, 3305.75 + i] for i in range(10)], dtype=np.float32
)

CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # (model, what the SDK sends, what onnxruntime is given directly)
    ("linear.onnx", {"x": [[1.0, 2.0, 3.0]]}, {"x": np.array([[1, 2, 3]], np.float32)}),
    ("ohlc.onnx", {"open_high_low_close": OHLC}, {"open_high_low_close": OHLC}),
    (
        "ohlc_seq.onnx",
        {"open_high_low_close": OHLC.reshape(1, 10, 4)},  # its declared shape: never reshaped
        {"open_high_low_close": OHLC.reshape(1, 10, 4)},
    ),
    (
        "text.onnx",
        {"text": ["hello, OpenGradient!"]},
        {"text": np.array(["hello, OpenGradient!"], dtype=object)},
    ),
    (
        "two_outputs.onnx",
        {"x": [[0.5, -1.0, 3.0, 2.0]]},
        {"x": np.array([[0.5, -1, 3, 2]], np.float32)},
    ),
    (
        "classifier.onnx",
        {"features": np.array([[1.0, 2.0]], np.float32)},
        {"features": np.array([[1.0, 2.0]], np.float32)},
    ),
    ("int_model.onnx", {"n": [[1, -2, 3]]}, {"n": np.array([[1, -2, 3]], np.int64)}),
]


def _assert_same_as_onnxruntime(result: InferenceResult, expected: dict[str, Any]) -> None:
    """Every number output float32 whatever the model's type or the values (as the official
    SDK gives them), the exact values in ``fixed_point``; strings as str arrays; ZipMap's
    list of {label: probability} as the array numpy makes of it."""
    model_output = result.model_output
    assert set(model_output) == set(expected)
    for name, want in expected.items():
        got = model_output[name]
        assert isinstance(got, np.ndarray), (name, type(got))
        if isinstance(want, np.ndarray) and want.dtype.kind in "fiu":
            assert got.dtype == np.float32 and got.shape == want.shape
            # floats travel as the shortest decimal of their float32 value: exact round trip
            np.testing.assert_array_equal(got, want.astype(np.float32))
            exact = result.fixed_point[name].to_decimal()
            assert exact.shape == want.shape
            if want.dtype.kind in "iu":
                assert [int(x) for x in exact.ravel()] == want.ravel().tolist()
            else:
                np.testing.assert_array_equal(exact.astype(np.float32), want)
        elif isinstance(want, np.ndarray):  # strings
            assert got.dtype.kind == "U" and got.tolist() == want.reshape(-1).tolist()
            assert name not in result.fixed_point
        else:  # ZipMap: list of {label: probability}
            assert got.dtype == object and got.shape == (len(want),)
            assert [{int(k): v for k, v in row.items()} for row in got] == [
                {k: float(v) for k, v in row.items()} for row in want
            ]


@pytest.mark.parametrize(("model", "sent", "direct"), CASES, ids=[c[0] for c in CASES])
def test_infer_returns_what_onnxruntime_returns(
    og_devnet: Devnet, model: str, sent: dict, direct: dict
) -> None:
    cid = og_devnet.models.add(MODELS / model)
    result = og_devnet.alpha().infer(cid, InferenceMode.VANILLA, sent)
    _assert_same_as_onnxruntime(result, run_onnx(model, direct))
    receipt = og_devnet.web3.eth.get_transaction_receipt(result.transaction_hash)
    assert receipt["status"] == 1
    record = og_devnet.inference_log.transactions()[-1]
    assert (record.model_cid, record.transaction_hash) == (cid, result.transaction_hash)
    assert record.inference_id == result.inference_id


@pytest.mark.parametrize("mode", list(InferenceMode))
def test_every_inference_mode_runs_and_is_logged(og_devnet: Devnet, mode: InferenceMode) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    og_devnet.alpha().infer(cid, mode, {"x": [[1.0, 1.0, 1.0]]})
    assert og_devnet.inference_log.transactions()[-1].mode == int(mode)


def _calls(devnet: Devnet) -> list[Any]:
    alpha = devnet.alpha(1)
    out = []
    for model, sent, _ in CASES:
        cid = devnet.models.add(MODELS / model)
        result = alpha.infer(cid, InferenceMode.VANILLA, sent)
        out.append(
            (
                result.transaction_hash,
                result.inference_id,
                {
                    k: np.asarray(v).tolist() if isinstance(v, np.ndarray) else v
                    for k, v in result.model_output.items()
                },
            )
        )
    head = devnet.web3.eth.get_block("latest")
    return [out, head["hash"], head["stateRoot"], head["timestamp"]]


def test_two_fresh_devnets_give_identical_hashes_and_outputs() -> None:
    assert _calls(Devnet()) == _calls(Devnet())


def _chain_state(devnet: Devnet) -> tuple[int, int, int]:
    address = devnet.accounts[0].address
    return (
        devnet.block_number,
        devnet.web3.eth.get_transaction_count(address),
        devnet.web3.eth.get_balance(address),
    )


@pytest.mark.parametrize(
    ("model", "model_input", "problem"),
    [
        ("linear.onnx", {"z": [[1.0, 2.0, 3.0]]}, "has no input named 'z'"),
        ("linear.onnx", {"x": [[1.0, 2.0]]}, r"shape \[1, 2\] does not match"),
        ("linear.onnx", {"x": [[1.0], [2.0], [3.0]]}, r"shape \[3, 1\] does not match"),
        ("linear.onnx", {"x": ["a", "b", "c"]}, "got strings but the model expects x"),
        ("int_model.onnx", {"n": [[0.5, 1.0, 2.0]]}, "is not an integer"),
    ],
)
def test_bad_requests_revert_in_simulation_and_send_nothing(
    og_devnet: Devnet, model: str, model_input: dict, problem: str
) -> None:
    cid = og_devnet.models.add(MODELS / model)
    before = _chain_state(og_devnet)
    with pytest.raises(InferenceError, match=problem) as info:
        og_devnet.alpha().infer(cid, InferenceMode.VANILLA, model_input)
    assert info.value.transaction_hash is None and "nothing was sent" in str(info.value)
    assert info.value.reason and problem.split(" ")[0].strip("\\") in info.value.reason
    assert _chain_state(og_devnet) == before


def test_unknown_cid_is_an_inference_error(og_devnet: Devnet) -> None:
    before = _chain_state(og_devnet)
    with pytest.raises(InferenceError, match="unknown model CID 'QmMissing'"):
        og_devnet.alpha().infer("QmMissing", InferenceMode.VANILLA, {"x": [1.0]})
    assert _chain_state(og_devnet) == before


def test_nan_is_refused_before_anything_is_sent(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    before = _chain_state(og_devnet)
    log_size = len(og_devnet.inference_log)
    with pytest.raises(InputError, match="tensor 'x'.*not a finite number"):
        og_devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, float("nan"), 2.0]]})
    assert _chain_state(og_devnet) == before
    assert len(og_devnet.inference_log) == log_size  # not even simulated


def test_corrupt_model_file_is_refused_at_add(og_devnet: Devnet, tmp_path) -> None:
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes((MODELS / "ohlc.onnx").read_bytes()[:100])
    with pytest.raises(ModelError, match="not an ONNX model|cannot load") as info:
        og_devnet.models.add(corrupt)
    assert isinstance(info.value, OpenGradientError)
    assert len(og_devnet.models) == 0


def test_injected_model_failure_reverts_with_its_reason(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    og_devnet.faults.fail_model(cid, "weights unavailable")
    before = _chain_state(og_devnet)
    with pytest.raises(InferenceError, match="weights unavailable"):
        og_devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert _chain_state(og_devnet) == before


def test_bad_arguments_are_input_errors(og_devnet: Devnet) -> None:
    alpha = og_devnet.alpha()
    with pytest.raises(InputError, match="model_cid"):
        alpha.infer("", InferenceMode.VANILLA, {"x": [1.0]})
    with pytest.raises(InputError, match="inference_mode"):
        alpha.infer("QmX", 7, {"x": [1.0]})  # type: ignore[arg-type]


def test_is_simulation_result_true_in_eth_call_false_when_mined(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    model_input = wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]})
    data = wire.encode_hub_run(cid, 0, model_input)
    simulated = wire.decode_model_output(
        og_devnet.web3.eth.call({"to": INFERENCE_HUB_ADDRESS, "data": data})
    )
    assert simulated.is_simulation_result is True
    np.testing.assert_array_equal(
        simulated.numbers["y"].astype(np.float32), np.array([[4.1]], np.float32)
    )
    result = og_devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    receipt = og_devnet.web3.eth.get_transaction_receipt(result.transaction_hash)
    hub_log = [lg for lg in receipt["logs"] if lg["address"] == INFERENCE_HUB_ADDRESS][0]
    assert wire.decode_model_output(bytes(hub_log["data"])).is_simulation_result is False


def test_precompile_event_carries_request_and_response(og_devnet: Devnet) -> None:
    from eth_abi import decode

    cid = og_devnet.models.add(MODELS / "two_outputs.onnx")
    result = og_devnet.alpha().infer(cid, InferenceMode.TEE, {"x": [[0.5, -1.0, 3.0, 2.0]]})
    receipt = og_devnet.web3.eth.get_transaction_receipt(result.transaction_hash)
    events = [
        lg for lg in receipt["logs"] if bytes(lg["topics"][0]) == wire.MODEL_INFERENCE_EVENT_TOPIC
    ]
    assert len(events) == 1
    assert events[0]["address"] == "0x00000000000000000000000000000000000000F4"
    inference_id, request, response = decode(
        wire.MODEL_INFERENCE_EVENT_ARGS, bytes(events[0]["data"])
    )
    assert inference_id == result.inference_id
    assert request[:2] == (2, cid)
    assert [t[0] for t in response[0]] == ["scores", "argmax"]


def test_results_delivered_off_chain_are_fetched_from_the_node_api(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "two_outputs.onnx")
    og_devnet.results_via_api = True
    result = og_devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[0.5, -1.0, 3.0, 2.0]]})
    receipt = og_devnet.web3.eth.get_transaction_receipt(result.transaction_hash)
    hub_log = [lg for lg in receipt["logs"] if lg["address"] == INFERENCE_HUB_ADDRESS][0]
    assert wire.decode_model_output(bytes(hub_log["data"])).is_empty()  # nothing on chain
    np.testing.assert_array_equal(
        result.model_output["scores"].astype(np.float32), np.array([[2, -1, 7, 5]], np.float32)
    )
    np.testing.assert_array_equal(result.model_output["argmax"], [2])


def test_genesis_places_the_contracts_and_funds_the_dev_accounts(og_devnet: Devnet) -> None:
    w3 = og_devnet.web3
    assert bytes(w3.eth.get_code(INFERENCE_HUB_ADDRESS)) == bytecode("InferenceHub", deployed=True)
    assert og_devnet.accounts[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert len(og_devnet.accounts) == 10
    assert all(w3.eth.get_balance(a.address) == 10_000 * 10**18 for a in og_devnet.accounts)


def test_hub_rejects_an_unknown_mode_with_a_reason(og_devnet: Devnet) -> None:
    data = wire.HUB_RUN + encode(wire.HUB_RUN_ARGS, ["QmX", 3, ([], [])])
    with pytest.raises(Exception, match="unknown inference mode"):
        og_devnet.web3.eth.call({"to": INFERENCE_HUB_ADDRESS, "data": data})
