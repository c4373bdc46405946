"""The model hub: CID -> one onnxruntime session, and the conversions around a run.

A model is validated and its session created once, at ``add``; every inference after that
only converts tensors and calls ``session.run``, within a time budget (model_runs.py). A
model is known by the CID of its bytes, always: a CID the devnet does not hold is looked up
in the disk cache, then fetched from the configured sources and checked against the CID
(model_sources.py, model_cache.py), so a CID names the same model here as on the network.
"""

from __future__ import annotations

import builtins
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from og_alpha import wire

from . import model_sources
from .cid import ipfs_cid_v0, is_cid_v0
from .errors import DevnetError, ModelError, PrecompileError
from .model_cache import ModelCache
from .model_files import for_onnxruntime, load_model_bytes, validate_onnx
from .model_inputs import TensorSpec, build, declared_inputs
from .model_runs import Busy, OverBudget, Runner

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
    # the model file itself: saved with the devnet's state (anvil_dumpState, --state snapshots)
    data: bytes = field(default=b"", repr=False)
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
        # Constant folding runs the constant part of a graph while loading, unbounded and
        # uninterruptible: a 211-byte model folding two 8192x8192 ConstantOfShape into a
        # MatMul held the node 52 s at 900 MB. Unfolded, that work happens in a run, where
        # the time budget and the memory cap apply.
        return ort.InferenceSession(
            data,
            sess_options=opts,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=["ConstantFolding"],
        )
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


class ModelHub:
    """Models by CID. ``add`` validates and loads; ``get`` also finds a model by its CID in
    the disk cache or at the sources; ``run`` serves the precompiles.

    ``sources``, ``cache_dir``, ``run_timeout`` and ``fetch_timeout`` default to the
    environment, then og.toml, then the defaults (model_sources.py says which).
    """

    def __init__(
        self,
        *,
        sources: Iterable[str] | None = None,
        cache_dir: str | Path | None = None,
        run_timeout: float | None = None,
        fetch_timeout: float | None = None,
    ) -> None:
        settings = model_sources.resolve(
            sources=sources,
            cache_dir=cache_dir,
            run_timeout=run_timeout,
            fetch_timeout=fetch_timeout,
        )
        self.sources = settings.sources
        self.cache = ModelCache(settings.cache_dir)
        self.fetch_timeout = settings.fetch_timeout
        self._run_timeout = settings.run_timeout
        self._runner = Runner()
        self._models: dict[str, Model] = {}

    @property
    def run_timeout(self) -> float:
        """Seconds one inference may run before it is stopped and reverts."""
        return self._run_timeout

    @run_timeout.setter
    def run_timeout(self, value: float) -> None:
        self._run_timeout = model_sources.seconds("model_timeout", value)

    def add(self, source: str | Path | bytes, cid: str | None = None) -> str:
        """Register an ONNX model (a path or its bytes) and return its CID: the IPFS CIDv0
        ``ipfs add`` gives the file, which is the id the real Model Hub gives it too.

        ``cid``, if given, must be that CID (a check that the file is the model meant):
        a CID names its content, so no other id can be bound to these bytes.
        """
        if cid is not None and not isinstance(cid, str):
            raise ModelError(f"cid must be a string, got {type(cid).__name__}")
        named = "" if isinstance(source, (bytes, bytearray, memoryview)) else str(source)
        data = load_model_bytes(source)
        actual = ipfs_cid_v0(data)
        try:
            if cid is not None and cid != actual:
                shown = cid if is_cid_v0(cid) else repr(cid)
                raise ModelError(
                    f"cid {shown} is not this model's CID: its bytes have the CID {actual} "
                    "(what `ipfs add` and the Model Hub give them); a model is known by the "
                    "CID of its content, so leave cid out or give the file that CID names"
                )
            if actual not in self._models:
                self._models[actual] = _load(actual, data)
        except ModelError as exc:
            if named:
                raise ModelError(f"model file {named!r}: {exc}") from None
            raise
        return actual

    def remove(self, cid: str) -> None:
        self._models.pop(cid, None)

    def get(self, cid: str) -> Model:
        """The model ``cid``: registered, else from the cache, else fetched (then cached)."""
        model = self._models.get(cid)
        if model is None:
            try:
                model, _ = self._obtain(cid)
            except ModelError as exc:
                raise PrecompileError(str(exc)) from None
            self._models[cid] = model
        return model

    def pull(self, cid: str) -> tuple[Path, str]:
        """Have ``cid`` in the disk cache, fetched and checked if it is not there yet (what
        ``og model pull`` does, ahead of an off-line run). Returns its path and where it came
        from (``"cache"`` or the URL)."""
        _, origin = self._obtain(cid)
        return self.cache.path(cid), origin

    def _obtain(self, cid: str) -> tuple[Model, str]:
        """Load ``cid`` from the cache or the sources; raises ModelError saying where it
        looked and what each place did."""
        if not is_cid_v0(cid):
            raise ModelError(
                f"unknown model CID {cid!r}: no model with that id is on this devnet, and it "
                "is not an IPFS CIDv0 (Qm..., as `ipfs add` gives) that could be fetched; add "
                "the model with devnet.models.add(path)"
            )
        data = self.cache.get(cid)
        if data is not None:
            try:
                return _load(cid, data), "cache"
            except ModelError as exc:
                raise ModelError(
                    f"model {cid} in the model cache ({self.cache.path(cid)}) is refused: {exc}"
                ) from None
        where = f"not in the model cache ({self.cache.directory})"
        if not self.sources:
            raise ModelError(
                f"unknown model CID {cid!r}: no model with that id is on this devnet, it is "
                f"{where}, and no model sources are configured: add it with "
                "devnet.models.add(path), or give a source to fetch it from (og devnet "
                f"--model-source URL, Devnet(model_sources=[URL]), {model_sources.ENV_SOURCES} "
                "or model_sources in og.toml)"
            )
        try:
            data, url = model_sources.fetch(cid, self.sources, self.fetch_timeout)
        except ModelError as exc:
            raise ModelError(
                f"unknown model CID {cid!r}: it is not on this devnet, {where}, and no source "
                f"served it: {exc}. Fetch it while on-line (og model pull {cid}) or add the "
                "file with devnet.models.add(path)"
            ) from None
        try:
            model = _load(cid, data)
        except ModelError as exc:
            raise ModelError(f"model {cid} from {url} is refused: {exc}") from None
        self.cache.put(cid, data)
        return model, url

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

        The run gets ``run_timeout`` seconds (a model may loop for ever), and at most
        ``MAX_OUTPUT_ELEMENTS`` come back: a model may turn a small input into a huge output
        (Expand, Tile), and the node would spend its time encoding it.
        """
        model = self.get(cid)
        inputs = dict(feeds)
        try:
            values = self._runner.run(
                lambda options: model.session.run(None, inputs, options), self._run_timeout
            )
        except OverBudget:
            raise PrecompileError(
                f"model {cid} ran past the devnet's limit of {self._run_timeout:g} s per "
                "inference and was stopped; raise it with Devnet(model_timeout=SECONDS), "
                f"`og devnet --model-timeout SECONDS` or {model_sources.ENV_TIMEOUT}"
            ) from None
        except Busy as exc:
            raise PrecompileError(
                f"model {cid} was not run: {exc.count} earlier model runs that went past the "
                f"time limit are still finishing (an operator cannot be stopped midway); "
                "retry in a moment"
            ) from None
        except DevnetError:
            raise
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

    def feeds(
        # builtins.list: this class's own ``list`` method shadows the name here
        self,
        cid: str,
        numbers: builtins.list[Any],
        strings: builtins.list[Any],
        *,
        batch: bool = False,
    ) -> dict[str, np.ndarray]:
        """ModelInput tensors -> arrays of the model's declared types and shapes (``batch``:
        the devnet built them, see model_inputs.build)."""
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
        return {name: build(specs[name], *given[name], batch=batch) for name in specs}


def _load(cid: str, data: bytes) -> Model:
    """Validate and load a model: the one way a Model is made, whatever its bytes' origin."""
    proto = validate_onnx(data)
    session = _session(for_onnxruntime(proto, data))
    _check_declared_outputs(session)
    inputs = declared_inputs(session, proto)
    outputs = tuple(o.name for o in session.get_outputs())
    return Model(cid, len(data), session, inputs, outputs, data=bytes(data))


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


def output_tensors(
    outputs: Mapping[str, Any],
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """Model outputs -> (NumberTensors, StringTensors, JsonScalars) of the wire format.

    Numeric tensors become fixed-point Numbers (floats by their shortest decimal form), string
    tensors StringTensors; sequences, maps (e.g. ZipMap) and other values go to ``jsons``.
    Tuples: the inference log keeps up to 10,000 outputs, and an empty one is shared.
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
    return tuple(numbers), tuple(strings), tuple(jsons)


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
