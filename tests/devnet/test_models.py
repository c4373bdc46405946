"""The model hub: CIDs, validation at add time, casting and shape checks at inference."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from og_alpha import OpenGradientError, wire
from og_devnet.cid import ipfs_cid_v0
from og_devnet.errors import ModelError, PrecompileError
from og_devnet.models import ModelHub, output_tensors
from tests.conftest import MODELS


def test_add_returns_the_ipfs_cid_of_the_file_and_a_given_cid_must_be_it() -> None:
    hub = ModelHub()
    data = (MODELS / "linear.onnx").read_bytes()
    cid = ipfs_cid_v0(data)
    assert hub.add(MODELS / "linear.onnx") == cid
    assert hub.add(data, cid=cid) == cid  # the same content: the same model
    assert list(hub) == [cid]


@pytest.mark.parametrize(
    "given",
    [
        "QmRealHubId",
        ipfs_cid_v0((MODELS / "int_model.onnx").read_bytes()),  # another model's CID
        ipfs_cid_v0((MODELS / "linear.onnx").read_bytes()) + "\n",
        "Qm\x00\x1b[31m",
    ],
)
def test_a_cid_given_with_model_bytes_must_be_their_cid(given: str) -> None:
    """Content addressing: were a CID bound to other bytes, the CID would run another model."""
    hub = ModelHub()
    linear = hub.add(MODELS / "linear.onnx")
    with pytest.raises(
        ModelError, match=f"is not this model's CID: its bytes have the CID {linear}"
    ):
        hub.add(MODELS / "linear.onnx", cid=given)
    other = (MODELS / "int_model.onnx").read_bytes()
    with pytest.raises(ModelError, match="is not this model's CID"):
        hub.add(other, cid=linear)  # an existing CID cannot be rebound to other bytes
    assert list(hub) == [linear]
    assert hub.get(linear).inputs[0].name == "x"  # still linear


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


def test_inputs_are_cast_to_the_declared_type() -> None:
    hub = ModelHub()
    cid = hub.add(MODELS / "ohlc_seq.onnx")  # declares float32 [1, 10, 4]
    sent = np.arange(40, dtype=np.float64).reshape(1, 10, 4)
    arr = _feeds(hub, cid, {"open_high_low_close": sent})["open_high_low_close"]
    assert arr.shape == (1, 10, 4) and arr.dtype == np.float32
    int_cid = hub.add(MODELS / "int_model.onnx")
    assert _feeds(hub, int_cid, {"n": [[1, 2, 3]]})["n"].dtype == np.int64


@pytest.mark.parametrize(
    "sent",
    [[[1.0], [2.0], [3.0], [4.0], [5.0]], [1.0, 2.0, 3.0, 4.0, 5.0], [[[1.0, 2.0, 3.0, 4.0, 5.0]]]],
    ids=["[5, 1]", "[5]", "[1, 1, 5]"],
)
def test_a_shape_other_than_the_declared_one_is_refused_giving_both(sent: list) -> None:
    """Five numbers for a declared [1, 5] were reshaped silently; onnxruntime itself refuses
    them, and a column read as a row is a wrong answer, not an error."""
    hub = ModelHub()
    cid = hub.add(_model([1, 5]))
    shape = list(np.asarray(sent).shape)
    with pytest.raises(PrecompileError) as info:
        _feeds(hub, cid, {"x": sent})
    assert str(info.value) == (
        f"input 'x': shape {shape} does not match the model's declared input x (float [1, 5]): "
        "send a tensor of shape [1, 5]; the devnet does not reshape inputs"
    )
    assert _feeds(hub, cid, {"x": [[1.0, 2.0, 3.0, 4.0, 5.0]]})["x"].shape == (1, 5)


def test_symbolic_dimensions_scalars_and_undeclared_shapes_take_what_fits() -> None:
    hub = ModelHub()
    batch = hub.add(_model(["n", 2]))
    assert _feeds(hub, batch, {"x": np.ones((3, 2))})["x"].shape == (3, 2)
    with pytest.raises(PrecompileError, match=r"shape \[2, 3\] .* \[\?, 2\] \(\? is any size\)"):
        _feeds(hub, batch, {"x": np.ones((2, 3))})
    scalar = hub.add(_model([]))
    assert _feeds(hub, scalar, {"x": 2.5})["x"].shape == ()  # the SDK sends a scalar as [1]
    with pytest.raises(PrecompileError, match=r"shape \[2\] does not match"):
        _feeds(hub, scalar, {"x": [1.0, 2.0]})
    free = hub.add(_model(None))
    assert _feeds(hub, free, {"x": np.ones((2, 3, 4))})["x"].shape == (2, 3, 4)


def test_only_the_devnets_own_candles_gain_a_leading_batch_dimension() -> None:
    """The price feed builds its [10, 4] candle tensor itself; a model may declare it as
    [1, 10, 4]. A caller's own tensor is never reshaped."""
    hub = ModelHub()
    cid = hub.add(MODELS / "ohlc_seq.onnx")
    numbers, _ = wire.encode_model_input({"open_high_low_close": np.ones((10, 4))})
    assert hub.feeds(cid, numbers, [], batch=True)["open_high_low_close"].shape == (1, 10, 4)
    with pytest.raises(PrecompileError, match=r"shape \[10, 4\] does not match"):
        hub.feeds(cid, numbers, [])
    numbers, _ = wire.encode_model_input({"open_high_low_close": np.ones((4, 10))})
    with pytest.raises(PrecompileError, match=r"shape \[1, 4, 10\] does not match"):
        hub.feeds(cid, numbers, [], batch=True)


def _model(shape: list | None) -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    return model.SerializeToString()


@pytest.mark.parametrize(
    ("model", "model_input", "problem"),
    [
        ("linear.onnx", {"z": [[1.0, 2.0, 3.0]]}, "has no input named 'z'; its inputs are: x"),
        ("linear.onnx", {}, "needs input"),
        ("linear.onnx", {"x": [[1.0, 2.0]]}, "does not match the model's declared input"),
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
    assert numbers == (("label", [(1, 0)], [1]),)
    assert strings == ()
    assert [name for name, _ in jsons] == ["probabilities"]
    text_cid = hub.add(MODELS / "text.onnx")
    _, strings, _ = output_tensors(hub.run(text_cid, _feeds(hub, text_cid, {"text": ["abc"]})))
    assert strings == (("upper", ["ABC"]),)


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
