"""The wire format: what a ModelInput holds for each kind of Python value, and back."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from eth_abi import decode, encode

from og_alpha import FixedPoint, InputError, OpenGradientError, wire


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0.1", (1, 1)),
        ("2.5e-07", (25, 8)),
        ("100.0", (100, 0)),
        ("0.0", (0, 0)),
        ("-3.25", (-325, 2)),
        ("1e+30", (10**30, 0)),
        ("3.4028235e+38", (34028235, -31)),
    ],
)
def test_decimal_to_number_uses_fewest_decimals(text: str, number: tuple[int, int]) -> None:
    assert wire.decimal_to_number(text) == number
    assert wire.number_to_float(*number) == float(text)


def test_encode_model_input_keeps_names_shapes_and_kinds() -> None:
    numbers, strings = wire.encode_model_input(
        {
            "x": np.array([[0.1, 0.2, 0.3]], dtype=np.float32),
            "n": [[1, 2], [3, 4]],
            "scalar": 2.5e-7,
            "text": "hello",
            "words": np.array(["a", "b"]),
        }
    )
    assert numbers == [
        ("x", [(1, 1), (2, 1), (3, 1)], [1, 3]),  # float32 by its own shortest form
        ("n", [(1, 0), (2, 0), (3, 0), (4, 0)], [2, 2]),
        ("scalar", [(25, 8)], [1]),
    ]
    assert strings == [("text", ["hello"]), ("words", ["a", "b"])]


def test_encoded_call_data_decodes_as_the_hub_signature() -> None:
    model_input = wire.encode_model_input({"x": [1.5, -2.0]})
    data = wire.encode_hub_run("QmModel", 2, model_input)
    assert data[:4] == wire.selector(f"run(string,uint8,{wire.MODEL_INPUT})")
    cid, mode, decoded = decode(wire.HUB_RUN_ARGS, data[4:])
    assert (cid, mode) == ("QmModel", 2)
    assert decoded == ((("x", ((15, 1), (-2, 0)), (2,)),), ())


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([1.0, float("nan")], "not a finite number"),
        (np.array([np.inf], dtype=np.float32), "not a finite number"),
        ([2**127], "outside int128"),
        ([-(2**127) - 1], "outside int128"),
        ([[1.0, 2.0], [3.0]], "ragged"),
        (np.array([1 + 2j]), "unsupported dtype complex128"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "unsupported dtype"),
        ([1, "a", None], "mixed"),
        ({"nested": 1}, "unsupported value of type dict"),
    ],
)
def test_bad_values_raise_naming_the_tensor(value: object, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as info:
        wire.encode_model_input({"prices": value})
    assert isinstance(info.value, OpenGradientError)
    assert info.value.tensor == "prices"
    assert "'prices'" in str(info.value)


def test_model_input_must_be_a_mapping_with_string_names() -> None:
    with pytest.raises(InputError, match="dict of tensor name"):
        wire.encode_model_input([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="non-empty string"):
        wire.encode_model_input({"": [1.0]})


def test_float32_values_survive_the_round_trip_exactly() -> None:
    rng = np.random.default_rng(7)
    values = (rng.standard_normal(2000) * 10.0 ** rng.integers(-30, 30, 2000)).astype(np.float32)
    values = np.concatenate(
        [
            values,
            np.array(
                [np.finfo(np.float32).max, np.finfo(np.float32).tiny, -0.0, 1e-45], dtype=np.float32
            ),
        ]
    )
    _, (_, numbers, shape) = wire.encode_tensor("v", values)
    back = wire.numbers_to_array(numbers, shape)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, values)


def test_decode_model_output_reshapes_numbers_and_parses_jsons() -> None:
    output = (
        [("y", [(15, 1), (-25, 1), (3, 0), (4, 0)], [2, 2]), ("k", [(7, 0), (8, 0)], [2])],
        [("label", ["cat", "dog"])],
        [("probs", '[{"0": 0.25, "1": 0.75}]'), ("n", "[1, 2.5]")],
        True,
    )
    result = wire.decode_model_output(encode([wire.MODEL_OUTPUT], [output]))
    np.testing.assert_array_equal(result.numbers["y"], np.array([[1.5, -2.5], [3.0, 4.0]]))
    assert result.numbers["y"].dtype == np.float32
    assert result.numbers["k"].dtype == np.float32  # integers too: one dtype whatever the values
    np.testing.assert_array_equal(result.numbers["k"], [7, 8])
    assert result.strings["label"].tolist() == ["cat", "dog"]
    assert result.strings["label"].dtype.kind == "U"
    # JSON values as np.array makes them, as the official SDK gives them
    assert result.jsons["probs"].dtype == object and result.jsons["probs"].shape == (1,)
    assert result.jsons["probs"][0] == {"0": 0.25, "1": 0.75}
    assert result.jsons["n"].dtype == np.float64 and result.jsons["n"].tolist() == [1, 2.5]
    assert result.is_simulation_result is True
    assert set(result.as_dict()) == {"y", "k", "label", "probs", "n"}
    assert result.fixed_point["y"] == FixedPoint((15, -25, 3, 4), (1, 1, 0, 0), (2, 2))


@pytest.mark.parametrize(
    ("values", "shape", "want_shape"),
    [
        ([(7, 0)], [], ()),  # a 0-d output stays 0-d, as np.array(...).reshape([]) gives
        ([(1, 0), (2, 0)], [3], (2,)),  # a shape that does not fit: kept flat
        ([], [0], (0,)),
    ],
)
def test_numbers_are_float32_in_their_shape(
    values: list[tuple[int, int]], shape: list[int], want_shape: tuple[int, ...]
) -> None:
    array = wire.numbers_to_array(values, shape)
    assert array.dtype == np.float32 and array.shape == want_shape


def test_the_dtype_never_depends_on_the_values() -> None:
    """A float model output that happens to be exactly 1.0 travels as (1, 0): it must come
    back as float32 like any other value, not as an int64 array."""
    whole = wire.numbers_to_array([(1, 0)], [1, 1])
    fraction = wire.numbers_to_array([(15, 1)], [1, 1])
    huge = wire.numbers_to_array([(2**100, 0), (-1, -50)], [2])
    assert whole.dtype == fraction.dtype == huge.dtype == np.float32
    with np.errstate(over="raise"):  # beyond float32 is inf, without a warning
        assert wire.numbers_to_array([(1, -39)], [1]).tolist() == [np.inf]


def test_fixed_point_keeps_the_exact_values() -> None:
    big = 2**127 - 1  # 39 digits: Decimal arithmetic would round it to 28
    exact = FixedPoint((big, 123456789, -5), (0, 9, -2), (3,)).to_decimal()
    assert exact.dtype == object and exact.shape == (3,)
    assert exact.tolist() == [Decimal(big), Decimal("0.123456789"), Decimal("-500")]
    assert int(exact[0]) == big
    assert FixedPoint((1, 2), (0, 0), (2, 1)).to_decimal().shape == (2, 1)


def test_json_outputs_numpy_cannot_hold_or_that_are_not_json_are_kept() -> None:
    """The official SDK raises on these (np.array of a ragged list, json.loads of text); the
    result is already paid for, so it is kept in a 0-d object array."""
    output = ([], [], [("ragged", "[1, [2, 3]]"), ("text", "not json")], False)
    result = wire.model_output_from_abi(output)
    assert result.jsons["ragged"].shape == () and result.jsons["ragged"].item() == [1, [2, 3]]
    assert result.jsons["text"].item() == "not json"


def test_a_0d_input_is_sent_with_shape_empty_as_the_official_sdk_sends_it() -> None:
    (number,), _ = wire.encode_model_input({"x": np.array(2.5)})
    assert number == ("x", [(25, 1)], [])
    (number,), _ = wire.encode_model_input({"x": np.array(3, dtype=object)})
    assert number == ("x", [(3, 0)], [])
    (number,), _ = wire.encode_model_input({"x": 2.5})  # a Python scalar: [x]
    assert number == ("x", [(25, 1)], [1])


def test_revert_reason_decoding() -> None:
    data = wire.ERROR_STRING + encode(["string"], ["unknown model"])
    assert wire.decode_revert_reason(data) == "unknown model"
    assert wire.decode_revert_reason(b"\x00" * 4) is None
