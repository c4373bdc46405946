"""The shared scenario (inputs, steps) and the field-by-field comparison of two clients' results.

Results come from ``driver.encode``: every value with its type. Two results are the same when
they are equal as encoded (values and types: class, dtype, shape, Python type), except for
what the README lists as deliberate differences, which ``assert_same`` names one by one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.compat.conftest import cid

MODES = ("VANILLA", "ZKML", "TEE")
OHLC_ROWS = [[3300.5 + i, 3310.25 + i, 3295.0 + i, 3305.75 + i] for i in range(10)]


def array(values: Any, dtype: str) -> dict[str, Any]:
    return {"ndarray": {"dtype": dtype, "values": values}}


# Every fixture model: (model, the input as a user writes it, what onnxruntime is given).
OHLC = np.array(OHLC_ROWS, np.float32)
INFER_CASES: list[tuple[str, dict[str, Any], dict[str, np.ndarray]]] = [
    ("linear.onnx", {"x": [[1.0, 2.0, 3.0]]}, {"x": np.array([[1, 2, 3]], np.float32)}),
    (  # the shortest-decimal conversion: (1, 1), (-25, 8), (100, 0)
        "linear.onnx",
        {"x": [[0.1, -2.5e-7, 100.0]]},
        {"x": np.array([[0.1, -2.5e-7, 100.0]], np.float32)},
    ),
    (
        "ohlc.onnx",
        {"open_high_low_close": array(OHLC_ROWS, "float32")},
        {"open_high_low_close": OHLC},
    ),
    (  # the shape the model declares: the devnet does not reshape inputs
        "ohlc_seq.onnx",
        {"open_high_low_close": array([OHLC_ROWS], "float32")},
        {"open_high_low_close": OHLC.reshape(1, 10, 4)},
    ),
    (
        "text.onnx",
        {"text": ["hello, OpenGradient!"]},
        {"text": np.array(["hello, OpenGradient!"], dtype=object)},
    ),
    (
        "two_outputs.onnx",
        {"x": array([[0.5, -1, 3, 2]], "float32")},
        {"x": np.array([[0.5, -1, 3, 2]], np.float32)},
    ),
    (
        "classifier.onnx",
        {"features": array([[1.0, 2.0]], "float32")},
        {"features": np.array([[1.0, 2.0]], np.float32)},
    ),
    ("int_model.onnx", {"n": [[1, -2, 3]]}, {"n": np.array([[1, -2, 3]], np.int64)}),
]
FALLBACK_MODELS = ("two_outputs.onnx", "text.onnx", "classifier.onnx")
OHLC_INPUT = "open_high_low_close"


def query(order: str = "ASCENDING") -> dict[str, Any]:
    return {
        "base": "ETH",
        "quote": "USD",
        "total_candles": 10,
        "candle_duration_in_mins": 1,
        "order": order,
        "candle_types": ["OPEN", "HIGH", "LOW", "CLOSE"],
    }


def infer_steps() -> list[dict[str, Any]]:
    """Every case in every mode, the same through the node API (results left off the
    chain), then two reverts: an unknown model and an input the model refuses."""
    steps = [
        {"op": "infer", "model": cid(model), "mode": mode, "input": model_input}
        for model, model_input, _ in INFER_CASES
        for mode in MODES
    ]
    steps.append({"op": "rpc", "method": "og_setResultsViaApi", "params": [True]})
    steps += [
        {"op": "infer", "model": cid(model), "mode": mode, "input": model_input}
        for model, model_input, _ in INFER_CASES
        if model in FALLBACK_MODELS
        for mode in MODES
    ]
    steps.append({"op": "rpc", "method": "og_setResultsViaApi", "params": [False]})
    steps.append(
        {"op": "infer", "model": "QmNoSuchModel", "mode": "VANILLA", "input": {"x": [1.0]}}
    )
    steps.append(
        {"op": "infer", "model": cid("linear.onnx"), "mode": "VANILLA", "input": {"x": [[1.0]]}}
    )
    return steps


def workflow_steps() -> list[dict[str, Any]]:
    """A scheduled workflow and a manual one: deployed, run by the schedule as the clock
    moves, run by hand, read; then a workflow whose model is missing (its run reverts). The
    last reads are of the final state, which the official client reads again later."""
    frequency_60_for_2h = {"frequency": 60, "duration_hours": 2}
    model = cid("ohlc.onnx")
    return [
        {"op": "new_workflow", "model": model, "query": query(), "input_name": OHLC_INPUT,
         "schedule": frequency_60_for_2h, "save_as": "scheduled"},
        {"op": "read_workflow_result", "address": "$scheduled"},
        {"op": "rpc", "method": "og_advanceTime", "params": [600]},
        {"op": "read_workflow_history", "address": "$scheduled", "num": 5},
        {"op": "read_workflow_history", "address": "$scheduled", "num": 15},
        {"op": "run_workflow", "address": "$scheduled"},
        {"op": "read_workflow_history", "address": "$scheduled", "num": 3},
        {"op": "new_workflow", "model": model, "query": query("DESCENDING"),
         "input_name": OHLC_INPUT, "save_as": "manual"},
        {"op": "run_workflow", "address": "$manual"},
        {"op": "new_workflow", "model": "QmNoSuchModel", "query": query(), "input_name": "x",
         "save_as": "broken"},
        {"op": "run_workflow", "address": "$broken"},
        *final_reads("$scheduled", "$manual"),
    ]  # fmt: skip


def final_reads(scheduled: str, manual: str) -> list[dict[str, Any]]:
    return [
        {"op": "read_workflow_result", "address": scheduled},
        {"op": "read_workflow_history", "address": scheduled, "num": 20},
        {"op": "read_workflow_history", "address": scheduled, "num": 2},
        {"op": "read_workflow_result", "address": manual},
        {"op": "read_workflow_history", "address": manual, "num": 1},
    ]


# --- comparison ----------------------------------------------------------------------------
# Fields og_alpha adds to the official dataclasses (with defaults: the official ones come first).
EXTRA_FIELDS = {"InferenceResult": {"inference_id", "fixed_point"}, "ModelOutput": {"fixed_point"}}


def assert_same(theirs: Any, mine: Any, where: str = "") -> None:
    """``mine`` (og_alpha's) equals ``theirs`` (the official client's) by value and type,
    field by field, but for the listed differences: og_alpha's transaction hashes carry 0x,
    and its dataclasses have the EXTRA_FIELDS."""
    if isinstance(theirs, dict) and "dataclass" in theirs:
        name = theirs["dataclass"]
        assert mine.get("dataclass") == name, (where, theirs, mine)
        fields, my_fields = theirs["fields"], mine["fields"]
        assert set(my_fields) - set(fields) <= EXTRA_FIELDS.get(name, set()), (where, my_fields)
        for field, value in fields.items():
            if field == "transaction_hash":
                assert mine["fields"][field]["value"] == "0x" + value["value"], where
            else:
                assert_same(value, my_fields[field], f"{where}.{field}")
        return
    if isinstance(theirs, dict) and isinstance(mine, dict):
        assert theirs.keys() == mine.keys(), (where, theirs, mine)
        for key in theirs:
            assert_same(theirs[key], mine[key], f"{where}/{key}")
        return
    if isinstance(theirs, list) and isinstance(mine, list):
        assert len(theirs) == len(mine), (where, theirs, mine)
        for i, (a, b) in enumerate(zip(theirs, mine, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
        return
    assert theirs == mine and type(theirs) is type(mine), (where, theirs, mine)


def value(result: dict[str, Any]) -> Any:
    assert "error" not in result, result["error"]
    return result["value"]


def reversed_list(encoded: dict[str, Any]) -> dict[str, Any]:
    return {"list": list(reversed(encoded["list"]))}


def is_revert(result: dict[str, Any]) -> bool:
    """Caught by ``except ContractLogicError``, the official client's (and the reference's)
    error for a failed transaction."""
    error = result.get("error") or {}
    return (
        error.get("caught_by") == "ContractLogicError"
        and "web3.exceptions.ContractLogicError" in error["mro"]
    )
