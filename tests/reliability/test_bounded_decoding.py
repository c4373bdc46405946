"""Property tests of the bounded ABI decoder (``og_alpha.abi_bounds``): every honest
encoding decodes exactly as eth-abi decodes it, and no bytes, however mangled, decode to
more than their own size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError, NonEmptyPaddingBytes
from hypothesis import given, settings
from hypothesis import strategies as st

from og_alpha import abi_bounds, wire
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


def reference(types: list[str], data: bytes) -> tuple:
    """What decode_bounded did before it read values itself: walk, then eth-abi."""
    abi_bounds._Walk(data).value(abi_bounds._parsed(tuple(types)), 0)
    return decode(types, data)


def outcome(fn: Callable[[list[str], bytes], tuple], types: list[str], data: bytes) -> object:
    try:
        return fn(types, data)
    except Exception as exc:  # the exact class and words are what is compared
        return (type(exc), str(exc))


short_text = st.text(max_size=6)
number = st.tuples(INT128, INT128)
model_input = st.tuples(
    st.lists(
        st.tuples(short_text, st.lists(number, max_size=3), st.lists(st.integers(0, 9))), max_size=2
    ),
    st.lists(st.tuples(short_text, st.lists(short_text, max_size=2)), max_size=2),
)
SHAPES: list[tuple[list[str], st.SearchStrategy]] = [
    ([wire.MODEL_OUTPUT], st.tuples(model_output)),
    (TYPES, st.tuples(st.lists(model_output, max_size=2))),
    ([wire.INFERENCE_REQUEST], st.tuples(st.tuples(st.integers(0, 255), short_text, model_input))),
    (
        wire.RUN_INFERENCE_ON_PRICE_FEED_ARGS,
        st.tuples(
            short_text,
            short_text,
            st.tuples(
                short_text,
                short_text,
                st.integers(0, 2**32 - 1),
                st.integers(0, 2**32 - 1),
                st.integers(0, 255),
                st.lists(st.integers(0, 255), max_size=4),
            ),
        ),
    ),
    (
        ["(bool,(int8,uint16),bytes)[]", "int256"],
        st.tuples(
            st.lists(
                st.tuples(
                    st.booleans(),
                    st.tuples(st.integers(-128, 127), st.integers(0, 2**16 - 1)),
                    st.binary(max_size=40),
                ),
                max_size=3,
            ),
            st.integers(-(2**255), 2**255 - 1),
        ),
    ),
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(range(len(SHAPES))), st.data())
def test_any_bytes_decode_or_fail_exactly_as_the_walk_and_eth_abi_do(
    shape: int, data: st.DataObject
) -> None:
    """Honest encodings of every type the SDK and the precompiles decode, then the same
    with bytes and words overwritten (paddings, bools, signs, offsets, lengths, UTF-8):
    decode_bounded gives the value, or the error, that walking and eth-abi give."""
    types, values = SHAPES[shape]
    raw = bytearray(encode(types, list(data.draw(values))))
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(raw) - 1))
        if data.draw(st.booleans()):
            raw[at] = data.draw(st.sampled_from([0x00, 0x01, 0x02, 0x7F, 0x80, 0xC3, 0xFF]))
        else:
            word = at // 32 * 32
            small = data.draw(st.integers(0, len(raw) + 64))
            raw[word : word + 32] = small.to_bytes(32, "big")
    assert outcome(decode_bounded, types, bytes(raw)) == outcome(reference, types, bytes(raw))


def test_honest_encodings_are_read_without_eth_abi(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader decodes an honest ModelOutput itself (eth-abi is ten times slower there);
    eth-abi is asked only for what the reader refuses."""
    output = ([("y", [(i * 1000 + 7, 3) for i in range(40)], [10, 4])], [("s", ["a"])], [], True)
    data = encode([wire.MODEL_OUTPUT], [output])
    expected = decode([wire.MODEL_OUTPUT], data)
    monkeypatch.setattr(abi_bounds, "decode", lambda *_: pytest.fail("eth-abi was asked"))
    assert decode_bounded([wire.MODEL_OUTPUT], data) == expected
    monkeypatch.undo()
    bad = bytearray(data)
    bad[32 + 4 * 32 - 1] = 0x02  # the head's last word, the bool, is 2
    with pytest.raises(NonEmptyPaddingBytes, match="Boolean must be either 0x0 or 0x1"):
        decode_bounded([wire.MODEL_OUTPUT], bytes(bad))
