"""Hostile model files and hostile inferences: each is refused with an error naming the problem.

A model is untrusted input to the devnet: it may not be ONNX, be cut short, point at files
outside what it was given (external data, symlinks), be too large, lie about its shapes, or
turn a small input into a huge output. Every case here must end in a ``ModelError`` at
``add`` or a revert at inference, read nothing it was not given, leave the chain as it was,
and leave the devnet serving. The models are built in the test with ``onnx.helper``.
"""

from __future__ import annotations

import builtins
import os
import pathlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from eth_account import Account
from onnx import TensorProto, helper, numpy_helper
from web3.exceptions import ContractLogicError

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceError, InferenceMode, wire
from og_devnet import Devnet, DevnetError, ModelError, model_files
from og_devnet import models as models_module
from og_devnet.models import ModelHub
from og_devnet.precompiles import BASE_GAS, GAS_PER_ELEMENT

F32, I64, BOOL = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
VANILLA = InferenceMode.VANILLA

# What the secret file holds: distinctive values, so a leak into an output or a message shows.
SECRET_VALUES = np.array([1234.5, -6789.25, 4242.125], dtype=np.float32)
SECRET_TEXTS = ("1234.5", "6789.25", "4242.125")


# --- building models ------------------------------------------------------------------------
def model_bytes(
    nodes: list[onnx.NodeProto],
    inputs: list[onnx.ValueInfoProto],
    outputs: list[onnx.ValueInfoProto],
    initializers: list[TensorProto] | None = None,
    functions: list[onnx.FunctionProto] | None = None,
    **graph: Any,
) -> bytes:
    """A model with the fixtures' IR version and opset; no checker, since some are broken
    on purpose. ``functions`` are model-local, in domain "local"."""
    opsets = [helper.make_opsetid("", 17)]
    proto = helper.make_model(
        helper.make_graph(nodes, "g", inputs, outputs, initializers or [], **graph),
        ir_version=9,
        opset_imports=opsets + [helper.make_opsetid("local", 1)] * bool(functions),
        functions=functions or [],
    )
    return proto.SerializeToString(deterministic=True)


def tensor(name: str, elem: int, shape: list[int | str | None] | None) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def add_one() -> bytes:
    """y = x + 1 over any number of floats: a well-behaved model for the 'still serving'
    checks, whose output count equals its input count."""
    one = numpy_helper.from_array(np.array([1.0], np.float32), "one")
    return model_bytes(
        [helper.make_node("Add", ["x", "one"], ["y"])],
        [tensor("x", F32, ["n"])],
        [tensor("y", F32, ["n"])],
        [one],
    )


def expand() -> bytes:
    """y = x broadcast to the shape given by input ``s``: the output size is chosen by an
    input's values, not its size, so only a check after (or during) the run can bound it."""
    return model_bytes(
        [helper.make_node("Expand", ["x", "s"], ["y"])],
        [tensor("x", F32, [1]), tensor("s", I64, ["rank"])],
        [tensor("y", F32, None)],
    )


def external(proto: TensorProto, location: str) -> TensorProto:
    """Make ``proto`` claim its data lives in file ``location`` (as onnx writes it)."""
    proto.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "12")):
        entry = proto.external_data.add()
        entry.key, entry.value = key, value
    proto.ClearField("raw_data")
    proto.ClearField("float_data")
    return proto


def secret_tensor(name: str, location: str) -> TensorProto:
    return external(numpy_helper.from_array(np.zeros(3, np.float32), name), location)


def dense_initializer(location: str) -> bytes:
    return model_bytes(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [tensor("x", F32, [3])],
        [tensor("y", F32, [3])],
        [secret_tensor("w", location)],
    )


def sparse_initializer(location: str) -> bytes:
    indices = numpy_helper.from_array(np.array([0, 1, 2], np.int64), "w_indices")
    sparse = helper.make_sparse_tensor(secret_tensor("w", location), indices, [3])
    return model_bytes(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [tensor("x", F32, [3])],
        [tensor("y", F32, [3])],
        sparse_initializer=[sparse],
    )


def sparse_constant(location: str) -> bytes:
    indices = numpy_helper.from_array(np.array([0, 1, 2], np.int64), "c_indices")
    sparse = helper.make_sparse_tensor(secret_tensor("c", location), indices, [3])
    return model_bytes(
        [
            helper.make_node("Constant", [], ["c"], sparse_value=sparse),
            helper.make_node("Add", ["x", "c"], ["y"]),
        ],
        [tensor("x", F32, [3])],
        [tensor("y", F32, [3])],
    )


def constant_in_subgraph(location: str) -> bytes:
    """The reference hides in an ``If`` branch: a check of the top graph alone misses it."""

    def branch(name: str, value: TensorProto) -> onnx.GraphProto:
        node = helper.make_node("Constant", [], [f"{name}_out"], value=value)
        return helper.make_graph([node], name, [], [tensor(f"{name}_out", F32, [3])])

    zeros = numpy_helper.from_array(np.zeros(3, np.float32), "zeros")
    node = helper.make_node(
        "If",
        ["cond"],
        ["y"],
        then_branch=branch("then", secret_tensor("c", location)),
        else_branch=branch("else", zeros),
    )
    return model_bytes([node], [tensor("cond", BOOL, [])], [tensor("y", F32, [3])])


def constant_in_function(location: str) -> bytes:
    """The reference hides in a model-local function's body."""
    function = helper.make_function(
        "local",
        "Leak",
        ["x"],
        ["y"],
        [
            helper.make_node("Constant", [], ["c"], value=secret_tensor("c", location)),
            helper.make_node("Add", ["x", "c"], ["y"]),
        ],
        [helper.make_opsetid("", 17)],
    )
    proto = helper.make_model(
        helper.make_graph(
            [helper.make_node("Leak", ["x"], ["y"], domain="local")],
            "g",
            [tensor("x", F32, [3])],
            [tensor("y", F32, [3])],
        ),
        ir_version=9,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("local", 1)],
        functions=[function],
    )
    return proto.SerializeToString()


# --- state helpers ----------------------------------------------------------------------------
def chain_state(devnet: Devnet) -> tuple[int, int, int]:
    """What a refused inference must leave as it was: head block, sender's nonce, balance."""
    address = devnet.accounts[0].address
    return (
        devnet.block_number,
        devnet.web3.eth.get_transaction_count(address),
        devnet.web3.eth.get_balance(address),
    )


def assert_still_serving(devnet: Devnet) -> None:
    """After a refusal the devnet still runs a normal inference, on a fresh model."""
    cid = devnet.models.add(add_one())
    result = devnet.alpha().infer(cid, VANILLA, {"x": [1.0, 2.0]})
    np.testing.assert_array_equal(result.model_output["y"], [2.0, 3.0])


def hub_estimate(devnet: Devnet, cid: str, model_input: dict[str, Any]) -> int:
    data = wire.encode_hub_run(cid, 0, wire.encode_model_input(model_input))
    tx = {"from": devnet.accounts[0].address, "to": INFERENCE_HUB_ADDRESS, "data": data}
    return int(devnet.web3.eth.estimate_gas(tx))


def intrinsic_gas(data: bytes) -> int:
    """A transaction's gas before execution: 21,000 and its call data (EIP-2028)."""
    return 21_000 + sum(16 if b else 4 for b in data)


# --- not ONNX, truncated ----------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 7, 64, 4096])
def test_random_bytes_are_refused_at_add_naming_the_file(tmp_path: Path, size: int) -> None:
    payload = np.random.default_rng(size).bytes(size)
    path = tmp_path / "random.onnx"
    path.write_bytes(payload)
    hub = ModelHub()
    with pytest.raises(ModelError, match="not an ONNX model|onnxruntime cannot load"):
        hub.add(payload)
    named = rf"model file '{re.escape(str(path))}': (not an ONNX model|onnxruntime cannot load)"
    with pytest.raises(ModelError, match=named):
        hub.add(path)
    assert len(hub) == 0


@pytest.mark.parametrize("keep", [1, 2, 0.125, 0.25, 0.5, 0.75, 0.9, -1])
def test_a_truncated_model_is_refused_at_add(tmp_path: Path, keep: float) -> None:
    whole = add_one()
    cut = int(keep) if isinstance(keep, int) else int(len(whole) * keep)
    path = tmp_path / "cut.onnx"
    path.write_bytes(whole[:cut])
    hub = ModelHub()
    named = rf"model file '{re.escape(str(path))}': (not an ONNX model|onnxruntime cannot load)"
    with pytest.raises(ModelError, match=named):
        hub.add(path)
    assert len(hub) == 0


def test_no_truncation_point_escapes_as_anything_but_a_model_error() -> None:
    """Every prefix: refused as a ModelError, or (cut at a field boundary after everything
    that matters) a complete model that loads. Never another exception, never a crash."""
    whole = add_one()
    graph = onnx.load_model_from_string(whole).graph
    for cut in range(len(whole)):
        hub = ModelHub()
        try:
            hub.add(whole[:cut])
        except ModelError:
            assert len(hub) == 0
        else:  # accepted only if the cut lost nothing of the graph (e.g. a trailing opset)
            assert onnx.load_model_from_string(whole[:cut]).graph == graph, cut


# --- external data ----------------------------------------------------------------------------
@pytest.fixture
def secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file outside the models directory that a leak would read, next to the node's working
    directory (where onnxruntime resolves the relative paths of a model loaded from bytes),
    and a copy in the working directory itself: no file but the model was given."""
    path = tmp_path / "secret.bin"
    path.write_bytes(SECRET_VALUES.tobytes())
    (tmp_path / "models").mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "secret.bin").write_bytes(SECRET_VALUES.tobytes())
    monkeypatch.chdir(tmp_path / "work")
    return path


EXTERNAL_CASES: list[tuple[str, Callable[[str], bytes], str]] = [
    ("dense initializer, /etc/passwd", dense_initializer, "/etc/passwd"),
    ("dense initializer, absolute", dense_initializer, "{secret}"),
    ("dense initializer, ../", dense_initializer, "../secret.bin"),
    # Sparse tensors were a gap: onnx's helper does not list them, and onnxruntime 1.32 reads
    # a sparse tensor's external file from the working directory and serves its contents.
    ("sparse initializer, working directory", sparse_initializer, "secret.bin"),
    ("sparse Constant, working directory", sparse_constant, "secret.bin"),
    ("sparse initializer, ../", sparse_initializer, "../secret.bin"),
    ("sparse initializer, absolute", sparse_initializer, "{secret}"),
    ("sparse Constant, ../", sparse_constant, "../secret.bin"),
    ("Constant in an If branch, ../", constant_in_subgraph, "../secret.bin"),
    ("Constant in a function, absolute", constant_in_function, "{secret}"),
]


@pytest.mark.parametrize(
    ("build", "location"),
    [case[1:] for case in EXTERNAL_CASES],
    ids=[case[0] for case in EXTERNAL_CASES],
)
def test_external_data_is_refused_and_nothing_outside_is_read(
    secret: Path, build: Callable[[str], bytes], location: str
) -> None:
    location = location.format(secret=secret)
    data = build(location)
    path = secret.parent / "models" / "leaky.onnx"
    path.write_bytes(data)
    devnet_hub = ModelHub()
    for source in (data, path):
        with pytest.raises(ModelError, match="references external data file") as info:
            devnet_hub.add(source)
        message = str(info.value)
        assert repr(location) in message and "self-contained" in message
        assert not any(text in message for text in SECRET_TEXTS)
    assert len(devnet_hub) == 0


def test_external_data_in_a_models_directory_refuses_the_directory(
    og_devnet: Devnet, secret: Path
) -> None:
    models = secret.parent / "models"
    (models / "good.onnx").write_bytes(add_one())
    (models / "leaky.onnx").write_bytes(sparse_initializer("secret.bin"))
    count = len(og_devnet.models)
    with pytest.raises(ModelError, match=r"leaky\.onnx'.*external data file 'secret\.bin'"):
        og_devnet.add_models_from(models)
    assert len(og_devnet.models) == count  # all or nothing: good.onnx is not half-added


# --- size and file kind -----------------------------------------------------------------------
def test_oversized_bytes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = add_one()
    monkeypatch.setattr(model_files, "MAX_MODEL_BYTES", len(data) - 1)
    with pytest.raises(ModelError, match=f"is {len(data)} bytes; the limit is {len(data) - 1}"):
        ModelHub().add(data)
    monkeypatch.setattr(model_files, "MAX_MODEL_BYTES", len(data))
    assert ModelHub().add(data)  # exactly at the limit is fine


def test_an_oversized_file_is_refused_from_its_size_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.onnx"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)  # sparse: 2 GiB by stat, no disk used
    limit = model_files.MAX_MODEL_BYTES

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model file was opened; its size should have refused it")

    hub = ModelHub()
    with monkeypatch.context() as patch:
        for owner, name in ((os, "open"), (builtins, "open"), (pathlib.Path, "read_bytes")):
            patch.setattr(owner, name, no_reading)
        with pytest.raises(ModelError) as info:
            hub.add(path)
    assert str(info.value) == f"model file '{path}' is {2 * 1024**3} bytes; the limit is {limit}"
    assert len(hub) == 0


@pytest.mark.parametrize("kind", ["directory", "fifo", "/dev/zero", "missing"])
def test_only_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    """A FIFO or a device would block or never end; a directory is not a model."""
    if kind == "directory":
        path = tmp_path / "dir.onnx"
        path.mkdir()
    elif kind == "fifo":
        path = tmp_path / "pipe.onnx"
        os.mkfifo(path)
    elif kind == "/dev/zero":
        path = Path("/dev/zero")
        if not path.exists():
            pytest.skip("no /dev/zero here")
    else:
        path = tmp_path / "nowhere.onnx"
    with pytest.raises(ModelError, match=rf"'{re.escape(str(path))}' does not exist or is not"):
        ModelHub().add(path)


# --- a --models directory with links ----------------------------------------------------------
@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """models/ with one real model, and outside/ holding a model and a directory of one."""
    models, outside = tmp_path / "models", tmp_path / "outside"
    (outside / "more").mkdir(parents=True)
    models.mkdir()
    (models / "good.onnx").write_bytes(add_one())
    (outside / "secret.onnx").write_bytes(expand())
    (outside / "more" / "other.onnx").write_bytes(expand())
    return {"models": models, "outside": outside}


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("evil.onnx", "../outside/secret.onnx"),  # relative link to a file outside
        ("abs.onnx", "{outside}/secret.onnx"),  # absolute link to a file outside
        ("dir.onnx", "../outside/more"),  # a link to a directory outside
    ],
)
def test_a_link_leading_out_of_the_models_directory_is_refused_by_name(
    og_devnet: Devnet, layout: dict[str, Path], name: str, target: str
) -> None:
    link = layout["models"].resolve() / name
    link.symlink_to(target.format(outside=layout["outside"]))
    count = len(og_devnet.models)
    with pytest.raises(ModelError, match="outside the models directory") as info:
        og_devnet.add_models_from(layout["models"])
    assert f"'{link}' is a link to '{link.resolve()}'" in str(info.value)
    assert isinstance(info.value, DevnetError)
    assert len(og_devnet.models) == count  # nothing added, not even good.onnx


def test_links_inside_the_directory_are_followed_and_other_entries_ignored(
    og_devnet: Devnet, layout: dict[str, Path]
) -> None:
    models = layout["models"]
    (models / "alias.onnx").symlink_to("good.onnx")  # stays inside: fine
    (models / "elsewhere").symlink_to(layout["outside"])  # not a *.onnx: not looked into
    before = set(og_devnet.models)
    added = og_devnet.add_models_from(models)
    assert sorted(added) == ["alias.onnx", "good.onnx"]
    assert added["alias.onnx"] == added["good.onnx"]
    assert set(og_devnet.models) - before == {added["good.onnx"]}  # nothing from outside


def test_a_missing_models_directory_is_an_error_not_an_empty_devnet(
    og_devnet: Devnet, tmp_path: Path
) -> None:
    with pytest.raises(ModelError, match="does not exist or is not a directory"):
        og_devnet.add_models_from(tmp_path / "typo")


# --- shapes that lie --------------------------------------------------------------------------
def _reshape_3_to_2x2() -> bytes:
    """Declares x float [1, 3], but reshapes it to [2, 2]: no [1, 3] input can ever run."""
    shape = numpy_helper.from_array(np.array([2, 2], np.int64), "shape")
    return model_bytes(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])],
        [tensor("x", F32, [1, 3])],
        [tensor("y", F32, [2, 2])],
        [shape],
    )


def _gather_past_the_end() -> bytes:
    """Declares x float [1, 3], but reads column 5 of it."""
    index = numpy_helper.from_array(np.array([5], np.int64), "i")
    return model_bytes(
        [helper.make_node("Gather", ["x", "i"], ["y"], axis=1)],
        [tensor("x", F32, [1, 3])],
        [tensor("y", F32, [1, 1])],
        [index],
    )


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (_reshape_3_to_2x2, r"failed: .*cannot be reshaped to the requested shape"),
        (_gather_past_the_end, r"failed: .*indices element out of data bounds"),
    ],
)
def test_a_model_whose_declared_input_lies_reverts_at_inference(
    og_devnet: Devnet, build: Callable[[], bytes], reason: str
) -> None:
    cid = og_devnet.models.add(build())  # loads: the lie only shows when it runs
    before = chain_state(og_devnet)
    with pytest.raises(InferenceError, match=f"model {cid} {reason}") as info:
        og_devnet.alpha().infer(cid, VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert info.value.transaction_hash is None  # refused in simulation: nothing was sent
    assert info.value.reason is not None and info.value.reason.startswith(f"model {cid} failed")
    assert chain_state(og_devnet) == before
    assert_still_serving(og_devnet)


def _matmul_of_the_wrong_width() -> bytes:
    weights = numpy_helper.from_array(np.ones((4, 1), np.float32), "W")
    return model_bytes(
        [helper.make_node("MatMul", ["x", "W"], ["y"])],
        [tensor("x", F32, [1, 3])],
        [tensor("y", F32, [1, 1])],
        [weights],
    )


def _declares_float_computes_int() -> bytes:
    return model_bytes(
        [helper.make_node("Cast", ["x"], ["y"], to=I64)],
        [tensor("x", F32, [1, 3])],
        [tensor("y", F32, [1, 3])],
    )


def _intermediate_type_lies() -> bytes:
    return model_bytes(
        [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Relu", ["r"], ["y"])],
        [tensor("x", F32, [1, 3])],
        [tensor("y", F32, [1, 3])],
        value_info=[tensor("r", I64, [1, 3])],
    )


def _float_input_added_to_ints() -> bytes:
    ints = numpy_helper.from_array(np.ones((1, 3), np.int64), "k")
    return model_bytes(
        [helper.make_node("Add", ["x", "k"], ["y"])],
        [tensor("x", F32, [1, 3])],
        [tensor("y", F32, [1, 3])],
        [ints],
    )


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (_matmul_of_the_wrong_width, "Incompatible dimensions for matrix multiplication"),
        (_declares_float_computes_int, r"Type Error: .*output arg \(y\)"),
        (_intermediate_type_lies, r"Type Error: .*output arg \(r\)"),
        (_float_input_added_to_ints, r"Type Error: .*bound to different types"),
    ],
)
def test_a_model_whose_declared_types_or_shapes_cannot_hold_is_refused_at_add(
    tmp_path: Path, build: Callable[[], bytes], reason: str
) -> None:
    path = tmp_path / "liar.onnx"
    path.write_bytes(build())
    hub = ModelHub()
    named = rf"'{re.escape(str(path))}': onnxruntime cannot load the model: .*{reason}"
    with pytest.raises(ModelError, match=named):
        hub.add(path)
    assert len(hub) == 0


def test_a_declared_output_shape_that_lies_is_answered_with_the_real_shape(
    og_devnet: Devnet,
) -> None:
    """Decision: an output declared [7] that is really [1, 3] is not refused. The output is
    what onnxruntime computed, the real network would return the same, and the SDK gets the
    true shape, so nothing is misread."""
    cid = og_devnet.models.add(
        model_bytes(
            [helper.make_node("Identity", ["x"], ["y"])],
            [tensor("x", F32, [1, 3])],
            [tensor("y", F32, [7])],
        )
    )
    result = og_devnet.alpha().infer(cid, VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert result.model_output["y"].shape == (1, 3)


# --- element limits ---------------------------------------------------------------------------
def test_too_many_input_elements_per_inference_are_refused(
    og_devnet: Devnet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models_module, "MAX_TENSOR_ELEMENTS", 8)
    pair = og_devnet.models.add(
        model_bytes(
            [helper.make_node("Add", ["a", "b"], ["y"])],
            [tensor("a", F32, ["n"]), tensor("b", F32, ["n"])],
            [tensor("y", F32, ["n"])],
        )
    )
    single = og_devnet.models.add(add_one())
    before = chain_state(og_devnet)
    alpha = og_devnet.alpha()
    with pytest.raises(InferenceError, match="sends 9 input elements; the limit is 8 per"):
        alpha.infer(single, VANILLA, {"x": [1.0] * 9})
    # the limit is per inference: two tensors of 5 are 10
    with pytest.raises(InferenceError, match="sends 10 input elements; the limit is 8 per"):
        alpha.infer(pair, VANILLA, {"a": [1.0] * 5, "b": [1.0] * 5})
    assert chain_state(og_devnet) == before
    assert alpha.infer(single, VANILLA, {"x": [1.0] * 8}).model_output["y"].shape == (8,)


def test_a_huge_output_from_a_small_input_is_refused(
    og_devnet: Devnet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models_module, "MAX_OUTPUT_ELEMENTS", 100)
    cid = og_devnet.models.add(expand())
    before = chain_state(og_devnet)
    alpha = og_devnet.alpha()
    with pytest.raises(InferenceError, match=r"returned 101 output elements \(y 101\); the devnet"):
        alpha.infer(cid, VANILLA, {"x": [1.0], "s": [101]})
    assert chain_state(og_devnet) == before
    assert alpha.infer(cid, VANILLA, {"x": [1.0], "s": [100]}).model_output["y"].shape == (100,)


def test_an_output_too_large_for_memory_is_refused_before_it_is_allocated(
    og_devnet: Devnet,
) -> None:
    """2**40 floats (4 TiB) from a 3-number input: the run's memory is capped, so the
    allocation itself is refused; the node is not asked for it."""
    cid = og_devnet.models.add(expand())
    before = chain_state(og_devnet)
    with pytest.raises(InferenceError, match="needs more working memory than the devnet allows"):
        og_devnet.alpha().infer(cid, VANILLA, {"x": [1.0], "s": [2**20, 2**20]})
    assert chain_state(og_devnet) == before
    assert_still_serving(og_devnet)


@pytest.mark.parametrize("op", ["Expand", "Tile"])
@pytest.mark.parametrize("declared", [[1000, 1000], None], ids=["declared", "inferred"])
def test_a_model_whose_output_is_statically_huge_is_refused_at_add(
    op: str, declared: list[int] | None
) -> None:
    """A constant shape or repeat count fixes the output at 10**6 elements, declared or not
    (onnxruntime infers it): no inference could return it, so ``add`` says so."""
    k = numpy_helper.from_array(np.array([1000, 1000], np.int64), "k")
    data = model_bytes(
        [helper.make_node(op, ["x", "k"], ["y"])],
        [tensor("x", F32, [1, 1])],
        [tensor("y", F32, declared)],
        [k],
    )
    with pytest.raises(
        ModelError, match=r"output 'y' has the fixed shape \[1000, 1000\], 1000000 elements"
    ):
        ModelHub().add(data)


# --- gas grows with the work ------------------------------------------------------------------
def test_gas_grows_with_input_elements(og_devnet: Devnet) -> None:
    """Execution gas (estimate less intrinsic) grows by at least the precompile's charge."""
    cid = og_devnet.models.add(
        model_bytes(
            [helper.make_node("ReduceSum", ["x"], ["y"], keepdims=1)],
            [tensor("x", F32, ["n"])],
            [tensor("y", F32, [1])],
        )
    )

    def execution_gas(count: int) -> int:
        model_input = {"x": [1.5] * count}
        data = wire.encode_hub_run(cid, 0, wire.encode_model_input(model_input))
        return hub_estimate(og_devnet, cid, model_input) - intrinsic_gas(bytes(data))

    few, many = execution_gas(10), execution_gas(100)
    assert many - few >= 90 * GAS_PER_ELEMENT
    assert few > BASE_GAS


def test_gas_grows_with_output_elements(og_devnet: Devnet) -> None:
    """Same call data size, more output: estimates and mined receipts both grow."""
    cid = og_devnet.models.add(expand())
    few = hub_estimate(og_devnet, cid, {"x": [1.0], "s": [10]})
    many = hub_estimate(og_devnet, cid, {"x": [1.0], "s": [1000]})
    assert many - few >= 990 * GAS_PER_ELEMENT
    alpha = og_devnet.alpha()
    receipts = [
        og_devnet.web3.eth.get_transaction_receipt(
            alpha.infer(cid, VANILLA, {"x": [1.0], "s": [n]}).transaction_hash
        )
        for n in (10, 1000)
    ]
    assert [r["status"] for r in receipts] == [1, 1]
    assert receipts[1]["gasUsed"] - receipts[0]["gasUsed"] >= 990 * GAS_PER_ELEMENT


def test_a_call_without_gas_for_its_output_fails_cleanly(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(expand())
    small = {"x": [1.0], "s": [10]}
    big = {"x": [1.0], "s": [1000]}
    gas = hub_estimate(og_devnet, cid, small)  # enough for 10 outputs, not for 1000
    data = wire.encode_hub_run(cid, 0, wire.encode_model_input(big))
    sender = og_devnet.accounts[0]
    call = {"from": sender.address, "to": INFERENCE_HUB_ADDRESS, "data": data, "gas": gas}
    before = chain_state(og_devnet)
    with pytest.raises(ContractLogicError, match="InferencePrecompile: Out of gas.*per output"):
        og_devnet.web3.eth.call(call)
    assert chain_state(og_devnet) == before

    # Mined with too little gas: the transaction fails, takes its gas, and leaves no result.
    raw = Account.sign_transaction(
        {
            **call,
            "nonce": before[1],
            "gasPrice": og_devnet.web3.eth.gas_price,
            "chainId": og_devnet.chain_id,
            "value": 0,
        },
        sender.key,
    ).raw_transaction
    tx_hash = og_devnet.web3.eth.send_raw_transaction(raw)
    receipt = og_devnet.web3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 0 and receipt["logs"] == []
    assert receipt["gasUsed"] > gas * 62 // 64  # all the precompile was given is gone
    assert_still_serving(og_devnet)
