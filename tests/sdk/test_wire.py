"""The wire format: what a ModelInput holds for each kind of Python value, and back."""

from __future__ import annotations

import numpy as np
import pytest
from eth_abi import decode, encode

from og_alpha import InputError, OpenGradientError, wire


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
    assert back.dtype == np.float64
    np.testing.assert_array_equal(back.astype(np.float32), values)


def test_decode_model_output_reshapes_numbers_and_parses_jsons() -> None:
    output = (
        [("y", [(15, 1), (-25, 1), (3, 0), (4, 0)], [2, 2]), ("k", [(7, 0), (8, 0)], [2])],
        [("label", ["cat", "dog"])],
        [("probs", '[{"0": 0.25, "1": 0.75}]')],
        True,
    )
    result = wire.decode_model_output(encode([wire.MODEL_OUTPUT], [output]))
    np.testing.assert_array_equal(result.numbers["y"], np.array([[1.5, -2.5], [3.0, 4.0]]))
    assert result.numbers["k"].dtype == np.int64
    np.testing.assert_array_equal(result.numbers["k"], [7, 8])
    assert list(result.strings["label"]) == ["cat", "dog"]
    assert result.jsons["probs"] == [{"0": 0.25, "1": 0.75}]
    assert result.is_simulation_result is True
    assert set(result.as_dict()) == {"y", "k", "label", "probs"}


def test_revert_reason_decoding() -> None:
    data = wire.ERROR_STRING + encode(["string"], ["unknown model"])
    assert wire.decode_revert_reason(data) == "unknown model"
    assert wire.decode_revert_reason(b"\x00" * 4) is None
