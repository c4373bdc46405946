"""The wire format: ABI type strings, selectors, and ModelInput/ModelOutput conversion.

One source of truth for encoding. The SDK encodes with it, and the devnet's precompiles decode
and encode with it too, so client and node can never disagree on a byte.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from eth_abi import decode
from eth_utils import keccak

from . import jsonsafe
from .abi_bounds import decode_bounded
from .errors import InputError, LimitError
from .types import FixedPoint, ModelOutput

# --- ABI type strings (alpha-wire.md, "Types") ------------------------------------------------
NUMBER = "(int128,int128)"
NUMBER_TENSOR = f"(string,{NUMBER}[],uint32[])"
STRING_TENSOR = "(string,string[])"
JSON_SCALAR = "(string,string)"
MODEL_INPUT = f"({NUMBER_TENSOR}[],{STRING_TENSOR}[])"
MODEL_OUTPUT = f"({NUMBER_TENSOR}[],{STRING_TENSOR}[],{JSON_SCALAR}[],bool)"
INFERENCE_REQUEST = f"(uint8,string,{MODEL_INPUT})"
HISTORICAL_QUERY = "(string,string,uint32,uint32,uint8,uint8[])"

INT128_MIN = -(2**127)
INT128_MAX = 2**127 - 1
UINT32_MAX = 2**32 - 1


def selector(signature: str) -> bytes:
    """The 4-byte function selector of a canonical signature."""
    return keccak(text=signature)[:4]


def topic(signature: str) -> bytes:
    """The topic-0 hash of a canonical event signature."""
    return keccak(text=signature)


# --- function selectors and event topics ------------------------------------------------------
HUB_RUN_ARGS = ["string", "uint8", MODEL_INPUT]
HUB_RUN = selector(f"run(string,uint8,{MODEL_INPUT})")
INFERENCE_RESULT_TOPIC = topic(f"InferenceResult({MODEL_OUTPUT})")

RUN_MODEL_INFERENCE = selector(f"runModelInference({INFERENCE_REQUEST})")
MODEL_INFERENCE_EVENT_ARGS = ["string", INFERENCE_REQUEST, MODEL_OUTPUT]
MODEL_INFERENCE_EVENT_TOPIC = topic(
    f"ModelInferenceEvent(string,{INFERENCE_REQUEST},{MODEL_OUTPUT})"
)

QUERY_HISTORICAL_CANDLES = selector(f"queryHistoricalCandles({HISTORICAL_QUERY})")
RUN_INFERENCE_ON_PRICE_FEED_ARGS = ["string", "string", HISTORICAL_QUERY]
RUN_INFERENCE_ON_PRICE_FEED = selector(f"runInferenceOnPriceFeed(string,string,{HISTORICAL_QUERY})")

WORKFLOW_CONSTRUCTOR_ARGS = ["string", "string", HISTORICAL_QUERY]
WORKFLOW_RUN = selector("run()")
WORKFLOW_GET_RESULT = selector("getInferenceResult()")
WORKFLOW_GET_LAST_RESULTS = selector("getLastInferenceResults(uint256)")
WORKFLOW_RESULT_EMITTED_TOPIC = topic(f"InferenceResultEmitted(address,{MODEL_OUTPUT})")

SCHEDULER_REGISTER_TASK = selector("registerTask(address,uint256,uint256)")

ERROR_STRING = selector("Error(string)")


# --- numbers -----------------------------------------------------------------------------------
NumberTuple = tuple[int, int]


def decimal_to_number(text: str) -> NumberTuple:
    """A decimal string to (value, decimals), fewest decimals first: "100.0" -> (100, 0).

    Numbers whose digits do not fit int128 at decimals >= 0 use negative decimals
    (value * 10**-decimals), so every finite float has an exact Number.
    """
    sign, digits, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)
    value = int("".join(map(str, digits)) or "0")
    while exponent < 0 and value and value % 10 == 0:
        value //= 10
        exponent += 1
    if value == 0:
        return (0, 0)
    if sign:
        value = -value
    if exponent >= 0:
        scaled = value * 10**exponent
        if INT128_MIN <= scaled <= INT128_MAX:
            return (scaled, 0)
    return (value, -exponent)


# int128 values span 39 digits and floats 10^-324..10^308: past this exponent the result is
# 0 or infinity, and computing 10**decimals for a hostile int128 decimals would never finish.
_FLOAT_EXPONENT_LIMIT = 400


def number_to_float(value: int, decimals: int) -> float:
    """A Number's value as the nearest float (correctly rounded; +-inf beyond float64)."""
    if value == 0:
        return 0.0
    if decimals > _FLOAT_EXPONENT_LIMIT:
        return math.copysign(0.0, value)
    if decimals < -_FLOAT_EXPONENT_LIMIT:
        return math.copysign(math.inf, value)
    try:
        if decimals <= 0:
            return float(value * 10 ** (-decimals))
        return float(value / 10**decimals)  # float(): 10**int is not typed as an int
    except OverflowError:
        return math.copysign(math.inf, value)


def _float_numbers(flat: np.ndarray) -> list[NumberTuple]:
    # repr of a numpy scalar is its shortest round-tripping form *for its own precision*,
    # so float32 0.1 travels as "0.1", not as 0.10000000149011612.
    texts = [repr(x) for x in flat.tolist()] if flat.dtype == np.float64 else [str(x) for x in flat]
    return [decimal_to_number(t) for t in texts]


def _int_numbers(flat: np.ndarray, name: str) -> list[NumberTuple]:
    values = [int(x) for x in flat.tolist()]
    for i, v in enumerate(values):
        if not INT128_MIN <= v <= INT128_MAX:
            raise InputError(
                f"tensor {name!r}: value {v} at flat index {i} is outside int128; "
                "scale it down or send it as a string",
                tensor=name,
            )
    return [(v, 0) for v in values]


def _to_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (str, bytes)):
        return np.array([value])
    if isinstance(value, (bool, int, float, np.generic)):
        return np.array([value])
    if isinstance(value, Sequence):
        try:
            return np.array(value)
        except ValueError as exc:
            raise InputError(
                f"tensor {name!r}: ragged or mixed nested list ({exc}); every row must have "
                "the same length and type",
                tensor=name,
            ) from None
    raise InputError(
        f"tensor {name!r}: unsupported value of type {type(value).__name__}; use a str, int, "
        "float, list or numpy array",
        tensor=name,
    )


def encode_tensor(name: str, value: Any) -> tuple[str, Any]:
    """One named input to ("numbers", NumberTensor) or ("strings", StringTensor)."""
    if not isinstance(name, str) or not name:
        raise InputError(f"tensor name must be a non-empty string, got {name!r}")
    arr = _to_array(name, value)
    kind = arr.dtype.kind
    if kind in "US":
        flat = [x.decode() if isinstance(x, bytes) else str(x) for x in arr.reshape(-1).tolist()]
        return "strings", (name, flat)
    if kind == "O" and all(
        isinstance(x, int) and not isinstance(x, bool) for x in arr.reshape(-1).tolist()
    ):
        # Python ints beyond int64 make an object array: check them against int128 exactly.
        return "numbers", (name, _int_numbers(arr.reshape(-1), name), list(arr.shape))
    if kind == "O":
        raise InputError(
            f"tensor {name!r}: mixed or ragged values (numpy dtype object); use numbers only "
            "or strings only, with equal row lengths",
            tensor=name,
        )
    shape = list(arr.shape)  # [] for a 0-d array, as the official SDK sends it
    if any(d > UINT32_MAX for d in shape):
        raise InputError(f"tensor {name!r}: dimension exceeds uint32", tensor=name)
    flat_arr = arr.reshape(-1)
    if kind == "f":
        if flat_arr.dtype not in (np.float16, np.float32, np.float64):
            flat_arr = flat_arr.astype(np.float64)
        bad = ~np.isfinite(flat_arr)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                f"tensor {name!r}: {flat_arr[i]} at flat index {i} is not a finite number; "
                "NaN and infinity cannot be sent",
                tensor=name,
            )
        numbers = _float_numbers(flat_arr)
    elif kind in "iub":
        numbers = _int_numbers(flat_arr, name)
    else:
        raise InputError(
            f"tensor {name!r}: unsupported dtype {arr.dtype}; use int, float or str values",
            tensor=name,
        )
    return "numbers", (name, numbers, shape)


def encode_model_input(model_input: Mapping[str, Any]) -> tuple[list[Any], list[Any]]:
    """A ``{name: value}`` dict to the ModelInput tuple (numbers, strings), validated."""
    if not isinstance(model_input, Mapping):
        raise InputError(
            f"model_input must be a dict of tensor name to value, got {type(model_input).__name__}"
        )
    numbers: list[Any] = []
    strings: list[Any] = []
    for name, value in model_input.items():
        kind, tensor = encode_tensor(name, value)
        (numbers if kind == "numbers" else strings).append(tensor)
    return numbers, strings


def encode_hub_run(model_cid: str, mode: int, model_input: tuple[list[Any], list[Any]]) -> bytes:
    """Call data of ``InferenceHub.run``: encoded once, used for the estimate and the tx.

    Byte-for-byte what ``eth_abi.encode(HUB_RUN_ARGS, ...)`` gives (a test holds it to that),
    written out directly because eth-abi validates every int128 through layers of generic
    coders: 1.2 ms for 40 numbers and 120 ms for 4,000, against ~0.1 ms and ~6 ms here.
    """
    if not 0 <= int(mode) <= 255:
        raise InputError(f"inference mode {mode!r} is not a uint8")
    try:
        body = _abi_tuple(
            [_abi_string(model_cid), int(mode).to_bytes(32, "big"), _abi_model_input(model_input)],
            dynamic=[True, False, True],
        )
    except (OverflowError, AttributeError, TypeError, ValueError) as exc:
        raise InputError(f"model input cannot be ABI-encoded: {exc}") from None
    return HUB_RUN + body


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _abi_string(text: str) -> bytes:
    data = text.encode()
    return _word(len(data)) + data + b"\0" * (-len(data) % 32)


def _abi_tuple(parts: list[bytes], dynamic: list[bool]) -> bytes:
    """A tuple's head (static parts inline, offsets to dynamic ones) followed by its tails."""
    offset = sum(32 if d else len(p) for p, d in zip(parts, dynamic, strict=True))
    head, tail = [], []
    for part, is_dynamic in zip(parts, dynamic, strict=True):
        if is_dynamic:
            head.append(_word(offset))
            tail.append(part)
            offset += len(part)
        else:
            head.append(part)
    return b"".join(head) + b"".join(tail)


def _abi_dynamic_array(items: list[bytes]) -> bytes:
    return _word(len(items)) + _abi_tuple(items, [True] * len(items))


def _abi_model_input(model_input: tuple[list[Any], list[Any]]) -> bytes:
    numbers, strings = model_input
    number_tensors = []
    for name, values, shape in numbers:
        flat = b"".join(
            v.to_bytes(32, "big", signed=True) + d.to_bytes(32, "big", signed=True)
            for v, d in values
        )
        if any(not INT128_MIN <= x <= INT128_MAX for pair in values for x in pair):
            raise OverflowError(f"tensor {name!r}: a Number is outside int128")
        dims = b"".join(int(n).to_bytes(32, "big") for n in shape)  # uint32 checked upstream
        number_tensors.append(
            _abi_tuple(
                [_abi_string(name), _word(len(values)) + flat, _word(len(shape)) + dims],
                [True, True, True],
            )
        )
    string_tensors = [
        _abi_tuple(
            [_abi_string(name), _abi_dynamic_array([_abi_string(v) for v in values])],
            [True, True],
        )
        for name, values in strings
    ]
    return _abi_tuple(
        [_abi_dynamic_array(number_tensors), _abi_dynamic_array(string_tensors)], [True, True]
    )


# --- outputs -----------------------------------------------------------------------------------
def numbers_to_array(values: Sequence[NumberTuple], shape: Sequence[int]) -> np.ndarray:
    """Numbers to a float32 array in ``shape`` (kept flat if ``shape`` does not fit them).

    Always float32, as the official SDK returns them: a dtype that followed the values
    (int64 when every decimals is 0) would change with the data and break comparisons.
    Each value is rounded once to float64, then to float32, as the official SDK does.
    The exact values are kept in :class:`FixedPoint`.
    """
    floats = np.array([number_to_float(v, d) for v, d in values], dtype=np.float64)
    with np.errstate(over="ignore"):  # beyond float32: inf, as np.float32(x) gives
        arr = floats.astype(np.float32)
    if math.prod(shape) == arr.size:  # prod([]) == 1: a 0-d output stays 0-d
        arr = arr.reshape(tuple(shape))
    return arr


# numpy gives every element of a str array the width of the longest (4 bytes a character):
# n empty strings and one of m characters take 4*n*m bytes, quadratic in the answer's size
# (a 1 MB node-API answer would ask for hundreds of GB). Past this size, and past 16 times
# what the strings themselves hold, the strings are kept as Python str in an object array.
PADDED_STRINGS_LIMIT = 64 * 2**20
_NUMBER_AS_TEXT = 32  # the width numpy gives numbers in an array that also holds strings


def _padding_dwarfs(count: int, longest: int, characters: int) -> bool:
    padded = 4 * count * longest
    return padded > PADDED_STRINGS_LIMIT and padded > 16 * 4 * characters


def _string_array(values: Sequence[str]) -> np.ndarray:
    """A string tensor: ``np.array(values, dtype=str)`` as the official SDK gives it, or
    an object array of the same strings when padding them would dwarf them."""
    longest = max(map(len, values), default=0)
    if _padding_dwarfs(len(values), longest, sum(map(len, values))):
        return np.array(list(values), dtype=object)
    return np.array(list(values), dtype=str)


def _held(value: Any) -> np.ndarray:
    holder = np.empty((), dtype=object)
    holder[()] = value
    return holder


def _json_value(name: str, text: str) -> Any:
    """The JSON output ``name``'s value; its text itself if it is not JSON."""
    try:
        return jsonsafe.loads(text, allow_nan=True)
    except jsonsafe.JSONLimitError as exc:
        raise LimitError(
            f"JSON output {name!r} is not decoded: {exc} (og_alpha.jsonsafe.MAX_DEPTH), "
            "as deeper nesting would overflow the interpreter's stack"
        ) from None
    except ValueError:
        return text


def _json_array(name: str, text: str) -> np.ndarray:
    """``np.array`` of a JSON document's value, as the official SDK gives a JSON output;
    a 0-d object array holding the value (or the text, if it is not JSON) where the
    official SDK would raise, since the result was already paid for, or where numpy's
    padded strings would take far more memory than the text."""
    value = _json_value(name, text)
    count, longest, stack = 0, 0, [value]
    while stack:  # numpy descends into lists only
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            count += 1
            if isinstance(item, str):
                longest = max(longest, len(item), _NUMBER_AS_TEXT)
    if _padding_dwarfs(count, longest, len(text)):
        return _held(value)
    try:
        return np.array(value)
    except ValueError:  # ragged lists
        return _held(value)


def model_output_from_abi(value: tuple[Any, ...]) -> ModelOutput:
    """The decoded ModelOutput tuple to a :class:`ModelOutput` of numpy arrays."""
    numbers, strings, jsons, is_sim = value
    out = ModelOutput(is_simulation_result=bool(is_sim))
    for name, values, shape in numbers:
        out.numbers[name] = numbers_to_array(values, shape)
        out.fixed_point[name] = FixedPoint(
            tuple(int(v) for v, _ in values),
            tuple(int(d) for _, d in values),
            tuple(int(n) for n in shape),
        )
    for name, values in strings:
        out.strings[name] = _string_array(values)
    for name, text in jsons:
        out.jsons[name] = _json_array(name, text)
    return out


def decode_model_output(data: bytes) -> ModelOutput:
    """ABI bytes of one ModelOutput (a return value or event data) to a :class:`ModelOutput`;
    ``LimitError`` for bytes that would decode to more than their size (aliased offsets)."""
    return model_output_from_abi(decode_bounded([MODEL_OUTPUT], data)[0])


def decode_model_outputs(data: bytes) -> list[ModelOutput]:
    """ABI bytes of ``ModelOutput[]`` to a list, bounded as :func:`decode_model_output`."""
    return [model_output_from_abi(v) for v in decode_bounded([f"{MODEL_OUTPUT}[]"], data)[0]]


def decode_revert_reason(data: bytes) -> str | None:
    """The string of an ``Error(string)`` revert, or None."""
    if len(data) >= 4 and data[:4] == ERROR_STRING:
        try:
            return str(decode(["string"], data[4:])[0])
        except Exception:  # noqa: BLE001 - malformed revert data has no reason
            return None
    return None
