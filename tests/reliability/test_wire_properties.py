"""Property tests: any finite float32/float64 and any int64 survive the whole round trip
SDK encode -> ModelInput -> precompile (onnxruntime Identity) -> ModelOutput -> SDK decode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from onnx import TensorProto, helper

from og_alpha import INFERENCE_HUB_ADDRESS, InputError, wire
from og_devnet import Devnet

TYPES = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE, np.int64: TensorProto.INT64}


def identity_model(dtype: type) -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["v"], ["out"])],
        "identity",
        [helper.make_tensor_value_info("v", TYPES[dtype], ["N"])],
        [helper.make_tensor_value_info("out", TYPES[dtype], ["N"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    return model.SerializeToString()


@pytest.fixture(scope="module")
def chain() -> tuple[Devnet, dict[type, str]]:
    devnet = Devnet()
    return devnet, {t: devnet.models.add(identity_model(t)) for t in TYPES}


def round_trip(devnet: Devnet, cid: str, values: np.ndarray) -> np.ndarray:
    """The output, exactly: as ``Decimal``s from its fixed-point values (``numbers`` holds
    them as float32, which cannot hold every float64 or int64)."""
    data = wire.encode_hub_run(cid, 0, wire.encode_model_input({"v": values}))
    raw = devnet.web3.eth.call({"to": INFERENCE_HUB_ADDRESS, "data": data})
    output = wire.decode_model_output(raw)
    assert output.numbers["out"].dtype == np.float32
    with np.errstate(over="ignore"):  # float64 beyond float32: inf on both sides
        np.testing.assert_array_equal(output.numbers["out"], values.astype(np.float32))
    return output.fixed_point["out"].to_decimal()


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def arrays(dtype: type, elements: st.SearchStrategy) -> st.SearchStrategy:
    return hnp.arrays(dtype, st.integers(1, 16), elements=elements)


@SETTINGS
@given(values=arrays(np.float32, st.floats(width=32, allow_nan=False, allow_infinity=False)))
def test_float32_survives_exactly(chain, values: np.ndarray) -> None:
    devnet, cids = chain
    back = round_trip(devnet, cids[np.float32], values)
    np.testing.assert_array_equal(back.astype(np.float32), values)


@SETTINGS
@given(values=arrays(np.float64, st.floats(allow_nan=False, allow_infinity=False)))
def test_float64_survives_exactly(chain, values: np.ndarray) -> None:
    devnet, cids = chain
    back = round_trip(devnet, cids[np.float64], values)
    np.testing.assert_array_equal(back.astype(np.float64), values)


@SETTINGS
@given(values=arrays(np.int64, st.integers(-(2**63), 2**63 - 1)))
def test_int64_survives_exactly(chain, values: np.ndarray) -> None:
    devnet, cids = chain
    back = round_trip(devnet, cids[np.int64], values)
    assert [int(x) for x in back] == values.tolist()


@SETTINGS
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), name=st.text(min_size=1, max_size=20)
)
def test_shapes_and_names_survive(chain, shape: list[int], name: str) -> None:
    values = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    numbers, _ = wire.encode_model_input({name: values})
    assert numbers[0][0] == name and numbers[0][2] == shape
    assert wire.numbers_to_array(numbers[0][1], numbers[0][2]).shape == tuple(shape)


@SETTINGS
@given(value=st.one_of(st.integers(2**127, 2**200), st.integers(-(2**200), -(2**127) - 1)))
def test_out_of_range_integers_are_refused_before_sending(chain, value: int) -> None:
    devnet, cids = chain
    block = devnet.block_number
    with pytest.raises(InputError, match="outside int128"):
        devnet.alpha().infer(cids[np.int64], 0, {"v": [value]})
    assert devnet.block_number == block


_names = st.text(max_size=12)
_number = st.tuples(st.integers(wire.INT128_MIN, wire.INT128_MAX), st.integers(-40, 40))
_number_tensor = st.tuples(
    _names, st.lists(_number, max_size=6), st.lists(st.integers(0, wire.UINT32_MAX), max_size=3)
)
_string_tensor = st.tuples(_names, st.lists(st.text(max_size=40), max_size=4))


@given(
    cid=st.text(max_size=60),
    mode=st.integers(0, 255),
    numbers=st.lists(_number_tensor, max_size=3),
    strings=st.lists(_string_tensor, max_size=3),
)
@settings(max_examples=200, deadline=None)
def test_hand_written_hub_encoding_is_eth_abi_byte_for_byte(
    cid: str, mode: int, numbers: list, strings: list
) -> None:
    """encode_hub_run writes the ABI by hand for speed; it must never drift from eth-abi."""
    from eth_abi import encode

    expected = wire.HUB_RUN + encode(wire.HUB_RUN_ARGS, [cid, mode, (numbers, strings)])
    assert wire.encode_hub_run(cid, mode, (numbers, strings)) == expected


def test_hub_encoding_refuses_a_number_outside_int128() -> None:
    with pytest.raises(InputError, match="int128"):
        wire.encode_hub_run("Qm", 0, ([("x", [(2**127, 0)], [1])], []))
