"""Model inputs: the wire's tensors to the arrays onnxruntime is given, checked against what
the model declares.

A numeric tensor's shape must be the declared one (a symbolic dimension takes any size), as
onnxruntime itself requires: the devnet never reshapes what a caller sent, because a
[5, 1] column silently fed as a [1, 5] row gives a wrong answer instead of an error. Two
cases have no shape to check and are fitted instead: strings (the wire carries none) and
the price feed's candles (the devnet builds them; a model may declare them with leading
batch dimensions of 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort

from og_alpha import wire

from .errors import PrecompileError

# onnx element types -> numpy dtypes the devnet casts inputs to.
_ORT_TYPES: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int8)": np.int8,
    "tensor(int16)": np.int16,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
    "tensor(uint8)": np.uint8,
    "tensor(uint16)": np.uint16,
    "tensor(uint32)": np.uint32,
    "tensor(uint64)": np.uint64,
    "tensor(bool)": np.bool_,
    "tensor(string)": np.object_,
}
# int64 holds 19 digits and an int128 value 39: any |decimals| past 60 cannot be an int64.
_MAX_INT_DECIMALS = 60

Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class TensorSpec:
    """A model input as declared: name, element type, shape (None for a symbolic dim; the
    whole shape None when the model does not declare one)."""

    name: str
    type: str
    shape: Shape | None

    def describe(self) -> str:
        return f"{self.name} ({self.type.removeprefix('tensor(').rstrip(')')} {self.dims()})"

    def dims(self) -> str:
        if self.shape is None:
            return "of any shape"
        return "[" + ", ".join("?" if d is None else str(d) for d in self.shape) + "]"


def declared_inputs(
    session: ort.InferenceSession, proto: onnx.ModelProto
) -> tuple[TensorSpec, ...]:
    """The inputs a caller feeds, with shapes from the model file: onnxruntime reports both
    "no shape declared" and "a scalar" as [], which must be told apart."""
    shapes: dict[str, Shape | None] = {}
    for value in proto.graph.input:
        tensor = value.type.tensor_type
        if value.type.HasField("tensor_type") and tensor.HasField("shape"):
            shapes[value.name] = tuple(
                d.dim_value if d.HasField("dim_value") and d.dim_value >= 0 else None
                for d in tensor.shape.dim
            )
        else:
            shapes[value.name] = None
    return tuple(TensorSpec(i.name, i.type, shapes.get(i.name)) for i in session.get_inputs())


def build(
    spec: TensorSpec,
    kind: str,
    values: list[Any],
    shape: list[int] | None,
    *,
    batch: bool = False,
) -> np.ndarray:
    """One wire tensor -> the array fed to the model. ``batch``: the tensor was built by the
    devnet (price feed), and may gain leading dimensions of 1 to fit the declared shape."""
    dtype = _ORT_TYPES.get(spec.type)
    if dtype is None:
        raise PrecompileError(f"input {spec.describe()}: element type not supported by devnet")
    count = len(values)  # bounded: the hub checked the total
    if kind == "strings":
        if dtype is not np.object_:
            raise PrecompileError(
                f"input {spec.name!r}: got strings but the model expects {spec.describe()}"
            )
        return np.array(list(values), dtype=object).reshape(_strings_shape(spec, count))
    if dtype is np.object_:
        raise PrecompileError(
            f"input {spec.name!r}: got numbers but the model expects {spec.describe()}"
        )
    arr = _numbers_array(spec, values, dtype)
    sent = tuple(int(d) for d in shape) if shape else (count,)
    if int(np.prod(sent, dtype=object)) != count:
        raise PrecompileError(
            f"input {spec.name!r}: shape {list(sent)} holds {int(np.prod(sent, dtype=object))} "
            f"elements but {count} values were sent"
        )
    # a copy, not a view: the inference log keeps the array, and a view keeps two objects
    return arr.reshape(_checked_shape(spec, sent, batch)).copy()


def _checked_shape(spec: TensorSpec, sent: tuple[int, ...], batch: bool) -> tuple[int, ...]:
    declared = spec.shape
    if declared is None:
        return sent
    if declared == () and sent in ((), (1,)):
        return ()  # a scalar: the wire has no rank 0, the SDK sends a scalar as [1]
    if batch and len(sent) < len(declared):
        lead = len(declared) - len(sent)
        if all(d in (1, None) for d in declared[:lead]):
            sent = (1,) * lead + sent
    if len(sent) == len(declared) and all(
        d is None or d == s for d, s in zip(declared, sent, strict=True)
    ):
        return sent
    any_size = " (? is any size)" if None in declared else ""
    raise PrecompileError(
        f"input {spec.name!r}: shape {list(sent)} does not match the model's declared input "
        f"{spec.describe()}: send a tensor of shape {spec.dims()}{any_size}; the devnet does "
        "not reshape inputs"
    )


def _strings_shape(spec: TensorSpec, count: int) -> tuple[int, ...]:
    """Strings come without a shape: the declared shape they fill, if there is exactly one."""
    declared = spec.shape
    if declared is None or len(declared) == 1 and declared[0] in (None, count):
        return (count,)
    unknown = [i for i, d in enumerate(declared) if d is None]
    known = int(np.prod([d for d in declared if d is not None], dtype=object))
    if not unknown and known == count:
        return tuple(int(d) for d in declared)  # type: ignore[arg-type]
    if len(unknown) == 1 and known and count % known == 0:
        filled = list(declared)
        filled[unknown[0]] = count // known
        return tuple(int(d) for d in filled)  # type: ignore[arg-type]
    raise PrecompileError(
        f"input {spec.name!r}: {count} strings do not fill the model's declared shape "
        f"{spec.dims()} ({spec.describe()})"
    )


def _numbers_array(spec: TensorSpec, values: list[Any], dtype: Any) -> np.ndarray:
    if np.issubdtype(dtype, np.floating):
        floats = np.array([wire.number_to_float(v, d) for v, d in values], dtype=np.float64)
        with np.errstate(over="ignore"):
            arr = floats.astype(dtype)
        if not np.isfinite(arr).all():
            raise PrecompileError(
                f"input {spec.name!r}: a value is outside the range of {np.dtype(dtype).name}"
            )
        return arr
    ints = []
    for v, d in values:
        if abs(d) > _MAX_INT_DECIMALS:
            raise PrecompileError(
                f"input {spec.name!r}: decimals {d} is out of range for an integer tensor "
                f"(|decimals| <= {_MAX_INT_DECIMALS})"
            )
        if d > 0 and v % 10**d:
            raise PrecompileError(
                f"input {spec.name!r}: value {wire.number_to_float(v, d)} is not an integer "
                f"but the model expects {spec.describe()}"
            )
        ints.append(v // 10**d if d > 0 else v * 10 ** (-d))
    info = np.iinfo(dtype) if dtype is not np.bool_ else None
    if info is not None and any(not info.min <= x <= info.max for x in ints):
        raise PrecompileError(f"input {spec.name!r}: a value is outside {np.dtype(dtype).name}")
    return np.array(ints, dtype=dtype)
