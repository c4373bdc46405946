"""Property tests of the bounded ABI decoder (``og_alpha.abi_bounds``): every honest
encoding decodes exactly as eth-abi decodes it, and no bytes, however mangled, decode to
more than their own size."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from hypothesis import given, settings
from hypothesis import strategies as st

from og_alpha import wire
from og_alpha.abi_bounds import decode_bounded
from og_alpha.errors import LimitError

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)
INT128 = st.integers(wire.INT128_MIN, wire.INT128_MAX)
text = st.text(max_size=40)
number_tensor = st.tuples(
    text, st.lists(st.tuples(INT128, INT128), max_size=6), st.lists(st.integers(0, 2**32 - 1))
)
model_output = st.tuples(
    st.lists(number_tensor, max_size=3),
    st.lists(st.tuples(text, st.lists(text, max_size=4)), max_size=3),
    st.lists(st.tuples(text, text), max_size=3),
    st.booleans(),
)
TYPES = [f"{wire.MODEL_OUTPUT}[]"]


@SETTINGS
@given(st.lists(model_output, max_size=4))
def test_honest_encodings_decode_as_eth_abi_decodes_them(outputs: list) -> None:
    data = encode(TYPES, [outputs])
    assert decode_bounded(TYPES, data) == decode(TYPES, data)


def canonical_size(value: tuple) -> int:
    return len(encode(TYPES, list(value)))


@SETTINGS
@given(st.lists(model_output, min_size=1, max_size=3), st.data())
def test_mangled_bytes_never_decode_to_more_than_their_size(
    outputs: list, data: st.DataObject
) -> None:
    """Overwrite words of an honest encoding with small numbers (offsets into the data,
    lengths): whatever decodes, re-encoded, is no larger than the bytes it came from."""
    raw = bytearray(encode(TYPES, [outputs]))
    words = len(raw) // 32
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, words - 1))
        raw[at * 32 : at * 32 + 32] = data.draw(st.integers(0, len(raw))).to_bytes(32, "big")
    try:
        value = decode_bounded(TYPES, bytes(raw))
    except (LimitError, DecodingError, ValueError, OverflowError):
        return
    assert canonical_size(value) <= len(raw)
    assert value == decode(TYPES, bytes(raw))


def test_a_length_past_the_end_is_malformed_not_an_alias() -> None:
    data = bytearray(encode(TYPES, [[([("x", [(1, 0)], [1])], [], [], False)]]))
    data[32:64] = (10**30).to_bytes(32, "big")  # the outer array's length
    with pytest.raises(ValueError, match="run past the end") as info:
        decode_bounded(TYPES, bytes(data))
    assert not isinstance(info.value, LimitError)
