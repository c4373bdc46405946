"""The model hub: CIDs, validation at add time, casting and reshaping at inference."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from og_alpha import OpenGradientError, wire
from og_devnet.cid import ipfs_cid_v0
from og_devnet.errors import ModelError, PrecompileError
from og_devnet.models import ModelHub, output_tensors
from tests.conftest import MODELS


def test_add_returns_the_ipfs_cid_of_the_file_or_the_given_one() -> None:
    hub = ModelHub()
    data = (MODELS / "linear.onnx").read_bytes()
    assert hub.add(MODELS / "linear.onnx") == ipfs_cid_v0(data)
    assert hub.add(data, cid="QmRealHubId") == "QmRealHubId"
    assert {"QmRealHubId", ipfs_cid_v0(data)} <= set(hub)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "empty"),
        (b"this is not a model", "not an ONNX model"),
        ((MODELS / "linear.onnx").read_bytes()[:-40], "not an ONNX model|cannot load"),
    ],
)
def test_add_refuses_what_is_not_a_loadable_onnx_model(payload: bytes, problem: str) -> None:
    hub = ModelHub()
    with pytest.raises(ModelError, match=problem) as info:
        hub.add(payload)
    assert isinstance(info.value, OpenGradientError)
    assert len(hub) == 0


def test_add_refuses_external_data_references(tmp_path) -> None:
    weights = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    weights.data_location = TensorProto.EXTERNAL
    entry = weights.external_data.add()
    entry.key, entry.value = "location", "../../etc/passwd"
    weights.ClearField("float_data")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
        [weights],
    )
    data = helper.make_model(graph).SerializeToString()
    with pytest.raises(ModelError, match="external data file '../../etc/passwd'"):
        ModelHub().add(data)


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        ModelHub().add(tmp_path / "nope.onnx")


def _feeds(hub: ModelHub, cid: str, model_input: dict) -> dict:
    numbers, strings = wire.encode_model_input(model_input)
    return hub.feeds(cid, numbers, strings)


def test_inputs_are_cast_and_reshaped_to_the_declared_input() -> None:
    hub = ModelHub()
    cid = hub.add(MODELS / "ohlc_seq.onnx")  # declares float32 [1, 10, 4]
    feeds = _feeds(
        hub, cid, {"open_high_low_close": np.arange(40, dtype=np.float64).reshape(10, 4)}
    )
    arr = feeds["open_high_low_close"]
    assert arr.shape == (1, 10, 4) and arr.dtype == np.float32
    int_cid = hub.add(MODELS / "int_model.onnx")
    assert _feeds(hub, int_cid, {"n": [1, 2, 3]})["n"].dtype == np.int64


@pytest.mark.parametrize(
    ("model", "model_input", "problem"),
    [
        ("linear.onnx", {"z": [[1.0, 2.0, 3.0]]}, "has no input named 'z'; its inputs are: x"),
        ("linear.onnx", {}, "needs input"),
        ("linear.onnx", {"x": [[1.0, 2.0]]}, "does not fit the model's declared input"),
        ("linear.onnx", {"x": ["a", "b", "c"]}, "got strings but the model expects"),
        ("text.onnx", {"text": [1.0]}, "got numbers but the model expects"),
        ("int_model.onnx", {"n": [[1.5, 2.0, 3.0]]}, "is not an integer"),
    ],
)
def test_wrong_inputs_name_the_problem(model: str, model_input: dict, problem: str) -> None:
    hub = ModelHub()
    cid = hub.add(MODELS / model)
    with pytest.raises(PrecompileError, match=problem):
        _feeds(hub, cid, model_input)


def test_unknown_cid_says_how_to_register() -> None:
    with pytest.raises(PrecompileError, match="unknown model CID 'QmNope'.*devnet.models.add"):
        ModelHub().get("QmNope")


def test_outputs_split_into_numbers_strings_and_jsons() -> None:
    hub = ModelHub()
    cid = hub.add(MODELS / "classifier.onnx")
    outputs = hub.run(cid, _feeds(hub, cid, {"features": [[1.0, 2.0]]}))
    numbers, strings, jsons = output_tensors(outputs)
    assert numbers == [("label", [(1, 0)], [1])]
    assert strings == []
    assert [name for name, _ in jsons] == ["probabilities"]
    text_cid = hub.add(MODELS / "text.onnx")
    _, strings, _ = output_tensors(hub.run(text_cid, _feeds(hub, text_cid, {"text": ["abc"]})))
    assert strings == [("upper", ["ABC"])]


def test_a_model_that_fails_at_run_time_is_a_precompile_error() -> None:
    # declares [2] but computes a Reshape to [3]: loads fine, fails on every run.
    shape = helper.make_tensor("s", TensorProto.INT64, [1], [3])
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "s"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
        [shape],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    hub = ModelHub()
    cid = hub.add(model.SerializeToString())
    with pytest.raises(PrecompileError, match=f"model {cid} failed"):
        hub.run(cid, _feeds(hub, cid, {"x": [1.0, 2.0]}))
