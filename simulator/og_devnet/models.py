"""The model hub: CID -> one onnxruntime session, and the conversions around a run.

A model is validated and its session created once, at ``add``; every inference after that
only converts tensors and calls ``session.run``.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from og_alpha import wire

from .cid import ipfs_cid_v0
from .errors import ModelError, PrecompileError
from .model_files import load_model_bytes, validate_onnx

# Input elements per inference, all tensors together.
MAX_TENSOR_ELEMENTS = 1_000_000
# Output elements per inference. Encoding an output costs ~30 us per element in Python (far
# more than the run), so this, with the gas charged per element before encoding, bounds it.
MAX_OUTPUT_ELEMENTS = 100_000
# Working memory of one run (onnxruntime's arena, shared by every session of the process).
# An output can be sized by an input's values (Expand, Tile, ConstantOfShape): without a cap
# one call could ask for terabytes and take the node down before any element count is known.
MAX_RUN_BYTES = 1024 * 1024 * 1024
MODEL_CACHE_ENTRIES = 64

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


@dataclass(frozen=True)
class TensorSpec:
    """A model input as declared: name, element type, shape (None for a symbolic dim)."""

    name: str
    type: str
    shape: tuple[int | None, ...]

    def describe(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.name} ({self.type.removeprefix('tensor(').rstrip(')')} [{dims}])"


class LRU:
    """A small bounded mapping, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Model:
    cid: str
    size: int
    session: ort.InferenceSession
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[str, ...]
    # results by input, so a simulation and its transaction share one run (bounded)
    cache: LRU = field(default_factory=lambda: LRU(MODEL_CACHE_ENTRIES))

    def describe_inputs(self) -> str:
        return ", ".join(s.describe() for s in self.inputs)


_ARENA: list[bool] = []  # [registered?], decided once per process


def _capped_arena() -> bool:
    """Register one CPU arena capped at ``MAX_RUN_BYTES`` for the sessions to share.

    A run that asks for more fails with an onnxruntime error (a revert) instead of
    allocating it. Weights are not in the arena, only a run's working memory.
    """
    if not _ARENA:
        try:
            info = ort.OrtMemoryInfo(
                "Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT
            )
            # strategy 1 (kSameAsRequested): grow by what is asked, not to the next power of 2
            config = ort.OrtArenaCfg({"max_mem": MAX_RUN_BYTES, "arena_extend_strategy": 1})
            ort.create_and_register_allocator(info, config)
            _ARENA.append(True)
        except Exception:  # noqa: BLE001 - an onnxruntime without the API: per-session arenas
            _ARENA.append(False)
    return _ARENA[0]


def _session(data: bytes) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    # One thread each: runs are tiny, and a fixed thread count keeps results reproducible.
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    # A failed run is the caller's revert, with its reason; onnxruntime need not print it too.
    opts.log_severity_level = 4
    if _capped_arena():
        opts.add_session_config_entry("session.use_env_allocators", "1")
    try:
        return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
        raise ModelError(f"onnxruntime cannot load the model: {exc}") from None


def _check_declared_outputs(session: ort.InferenceSession) -> None:
    """Refuse at ``add`` a model that declares an output no inference could return."""
    for output in session.get_outputs():
        dims = output.shape or []
        if dims and all(isinstance(d, int) and d >= 0 for d in dims):
            count = int(np.prod(dims, dtype=np.int64))
            if count > MAX_OUTPUT_ELEMENTS:
                raise ModelError(
                    f"model output {output.name!r} has the fixed shape {list(dims)}, "
                    f"{count} elements; the devnet returns at most {MAX_OUTPUT_ELEMENTS} "
                    "output elements per inference"
                )


def output_elements(value: Any) -> int:
    """How many elements an output holds (a map counts its keys and values), for the limit
    and for gas: known right after the run, before the costly encoding."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, Mapping):
        return sum(1 + output_elements(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(output_elements(v) for v in value)
    return 1


def _shape(dims: list[Any]) -> tuple[int | None, ...]:
    return tuple(d if isinstance(d, int) and d >= 0 else None for d in dims)


class ModelHub:
    """Models by CID. ``add`` validates and loads; ``run`` serves the precompiles."""

    def __init__(self) -> None:
        self._models: dict[str, Model] = {}

    def add(self, source: str | Path | bytes, cid: str | None = None) -> str:
        """Register an ONNX model (a path or its bytes) and return its CID.

        The CID is the IPFS CIDv0 ``ipfs add`` gives the file, unless ``cid`` is given (use
        the id the model has on the real Model Hub so code runs unchanged on both networks).
        """
        if cid is not None and (not isinstance(cid, str) or not cid.strip()):
            raise ModelError(f"cid must be a non-empty string, got {cid!r}")
        data = load_model_bytes(source)
        try:
            validate_onnx(data)
            session = _session(data)
            _check_declared_outputs(session)
        except ModelError as exc:
            if isinstance(source, (bytes, bytearray, memoryview)):
                raise
            raise ModelError(f"model file {str(source)!r}: {exc}") from None
        cid = cid or ipfs_cid_v0(data)
        inputs = tuple(TensorSpec(i.name, i.type, _shape(i.shape)) for i in session.get_inputs())
        outputs = tuple(o.name for o in session.get_outputs())
        self._models[cid] = Model(cid, len(data), session, inputs, outputs)
        return cid

    def remove(self, cid: str) -> None:
        self._models.pop(cid, None)

    def get(self, cid: str) -> Model:
        try:
            return self._models[cid]
        except KeyError:
            raise PrecompileError(
                f"unknown model CID {cid!r}: no model with that id is registered on this "
                "devnet (add it with devnet.models.add(path))"
            ) from None

    def __contains__(self, cid: object) -> bool:
        return cid in self._models

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def list(self) -> list[Model]:
        return list(self._models.values())

    # --- state, for snapshots ------------------------------------------------------------
    def state(self) -> dict[str, Model]:
        return dict(self._models)

    def restore(self, state: dict[str, Model]) -> None:
        self._models = dict(state)

    # --- inference -----------------------------------------------------------------------
    def run(self, cid: str, feeds: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """Run model ``cid`` on already-built input arrays; outputs by name.

        At most ``MAX_OUTPUT_ELEMENTS`` come back: a model may turn a small input into a huge
        output (Expand, Tile), and the node would spend its time encoding it.
        """
        model = self.get(cid)
        try:
            values = model.session.run(None, dict(feeds))
        except Exception as exc:  # noqa: BLE001 - onnxruntime's errors name the problem
            raise PrecompileError(f"model {cid} failed: {_run_failure(exc)}") from None
        outputs = dict(zip(model.outputs, values, strict=True))
        count = sum(output_elements(v) for v in outputs.values())
        if count > MAX_OUTPUT_ELEMENTS:
            sizes = ", ".join(f"{k} {output_elements(v)}" for k, v in outputs.items())
            raise PrecompileError(
                f"model {cid} returned {count} output elements ({sizes}); the devnet returns "
                f"at most {MAX_OUTPUT_ELEMENTS} per inference"
            )
        return outputs

    def feeds(self, cid: str, numbers: list[Any], strings: list[Any]) -> dict[str, np.ndarray]:
        """ModelInput tensors -> arrays of the model's declared types and shapes."""
        model = self.get(cid)
        specs = {s.name: s for s in model.inputs}
        given: dict[str, tuple[str, Any, list[int] | None]] = {}
        for name, values, shape in numbers:
            given[name] = ("numbers", values, list(shape))
        for name, values in strings:
            if name in given:
                raise PrecompileError(f"input tensor {name!r} is given twice")
            given[name] = ("strings", values, None)
        for name in given:
            if name not in specs:
                raise PrecompileError(
                    f"model {cid} has no input named {name!r}; its inputs are: "
                    f"{model.describe_inputs()}"
                )
        missing = [s.describe() for s in model.inputs if s.name not in given]
        if missing:
            raise PrecompileError(f"model {cid} needs input(s) {', '.join(missing)}")
        total = sum(len(values) for _, values, _ in given.values())
        if total > MAX_TENSOR_ELEMENTS:
            raise PrecompileError(
                f"inference on model {cid} sends {total} input elements; the limit is "
                f"{MAX_TENSOR_ELEMENTS} per inference"
            )
        return {name: _build(specs[name], *given[name]) for name in specs}


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _run_failure(exc: Exception) -> str:
    """onnxruntime's reason, with the arena's refusal put in the devnet's terms."""
    text = str(exc)
    if "Available memory of" in text or "bad_alloc" in text:
        return (
            f"the run needs more working memory than the devnet allows per inference "
            f"({MAX_RUN_BYTES} bytes); an output or intermediate tensor is too large"
        )
    return _short(exc)


def _build(spec: TensorSpec, kind: str, values: list[Any], shape: list[int] | None) -> np.ndarray:
    dtype = _ORT_TYPES.get(spec.type)
    if dtype is None:
        raise PrecompileError(f"input {spec.describe()}: element type not supported by devnet")
    count = len(values)  # bounded: feeds() checked the total
    if kind == "strings":
        if dtype is not np.object_:
            raise PrecompileError(
                f"input {spec.name!r}: got strings but the model expects {spec.describe()}"
            )
        arr = np.array(list(values), dtype=object)
        shape = [count]
    else:
        if dtype is np.object_:
            raise PrecompileError(
                f"input {spec.name!r}: got numbers but the model expects {spec.describe()}"
            )
        arr = _numbers_array(spec, values, dtype)
        if shape and int(np.prod(shape)) != count:
            raise PrecompileError(
                f"input {spec.name!r}: shape {shape} holds {int(np.prod(shape))} elements "
                f"but {count} values were sent"
            )
    return arr.reshape(_fit_shape(spec, tuple(shape or [count]), count))


# int64 holds 19 digits and an int128 value 39: any |decimals| past 60 cannot be an int64.
_MAX_INT_DECIMALS = 60


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


def _fit_shape(spec: TensorSpec, shape: tuple[int, ...], count: int) -> tuple[int, ...]:
    """The sent shape if it fits the declared one, else the declared shape it can fill."""
    declared = spec.shape
    if len(shape) == len(declared) and all(
        d is None or d == s for d, s in zip(declared, shape, strict=True)
    ):
        return shape
    unknown = [i for i, d in enumerate(declared) if d is None]
    known = int(np.prod([d for d in declared if d is not None])) if declared else 1
    if not unknown and known == count:
        return tuple(int(d) for d in declared)  # type: ignore[arg-type]
    if len(unknown) == 1 and known and count % known == 0:
        filled = list(declared)
        filled[unknown[0]] = count // known
        return tuple(int(d) for d in filled)  # type: ignore[arg-type]
    raise PrecompileError(
        f"input {spec.name!r}: shape {list(shape)} does not fit the model's declared input "
        f"{spec.describe()}"
    )


def output_tensors(outputs: Mapping[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """Model outputs -> (NumberTensors, StringTensors, JsonScalars) of the wire format.

    Numeric tensors become fixed-point Numbers (floats by their shortest decimal form), string
    tensors StringTensors; sequences, maps (e.g. ZipMap) and other values go to ``jsons``.
    """
    numbers: list[Any] = []
    strings: list[Any] = []
    jsons: list[Any] = []
    for name, value in outputs.items():
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
            try:
                _, tensor = wire.encode_tensor(name, value)
            except Exception as exc:  # noqa: BLE001
                raise PrecompileError(f"model output {name!r} cannot be encoded: {exc}") from None
            numbers.append(tensor)
        elif (
            isinstance(value, np.ndarray)
            and value.dtype.kind in "OUS"
            and all(isinstance(x, str) for x in value.reshape(-1).tolist())
        ):
            strings.append((name, [str(x) for x in value.reshape(-1).tolist()]))
        else:
            jsons.append((name, json.dumps(_jsonable(value), sort_keys=True)))
    return numbers, strings, jsons


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
