"""Fault injection for tests of error paths: failing models, fixed outputs, price gaps.

Every argument is checked when the fault is set, against the devnet's models and the wire
format, so a typo in a test fails there, naming the problem, instead of injecting a fault
that never fires (a misspelled CID) or one that breaks at inference (an output no model
could return).
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from typing import TYPE_CHECKING, Any

import numpy as np

from og_alpha.errors import OpenGradientError

from .errors import DevnetError, PrecompileError, PriceDataError
from .models import output_tensors
from .prices import check_pair

if TYPE_CHECKING:
    from .models import Model, ModelHub


class Faults:
    """Faults the precompiles apply. The pytest plugin resets them around each test."""

    def __init__(self, models: ModelHub) -> None:
        self._models = models
        self._failing: dict[str, str] = {}
        self._outputs: dict[str, dict[str, Any]] = {}
        self._gaps: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def fail_model(self, cid: str, reason: str = "injected fault") -> None:
        """Every inference on ``cid`` reverts with ``reason``."""
        self._model("fail_model", cid)
        if not isinstance(reason, str) or not reason.strip():
            raise DevnetError(f"fail_model: reason must be a non-empty string, got {reason!r}")
        self._failing[cid] = reason

    def set_output(self, cid: str, outputs: Mapping[str, Any]) -> None:
        """Inferences on ``cid`` return ``outputs`` (every output of the model by name:
        arrays, strings, or JSON values for non-tensor outputs) instead of running."""
        model = self._model("set_output", cid)
        if not isinstance(outputs, Mapping):
            raise DevnetError(
                f"set_output: outputs must be a dict of output name to value, got "
                f"{type(outputs).__name__}"
            )
        names = ", ".join(model.outputs)
        unknown = [repr(k) for k in outputs if k not in model.outputs]
        if unknown:
            raise DevnetError(
                f"set_output: model {cid} has no output {', '.join(unknown)}; its outputs are "
                f"{names}"
            )
        missing = [k for k in model.outputs if k not in outputs]
        if missing:
            raise DevnetError(
                f"set_output: model {cid} returns {names}; give a value for each (missing: "
                f"{', '.join(missing)})"
            )
        fixed = {k: _tensor(cid, k, v) for k, v in outputs.items()}
        try:
            output_tensors(fixed)  # what an inference will encode: refused now, not then
        except (OpenGradientError, TypeError, ValueError) as exc:
            raise DevnetError(f"set_output: model {cid}: {exc}") from None
        self._outputs[cid] = fixed

    def price_gap(self, base: str, quote: str, start: int, end: int) -> None:
        """Candles of the pair with open time in [start, end) are missing."""
        pair = check_pair(base, quote)
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise PriceDataError(
                    f"price_gap: {name} must be a unix time in seconds (int), got {value!r}"
                )
        if end <= start:
            raise PriceDataError(f"price_gap: end must be after start, got [{start}, {end})")
        self._gaps.setdefault(pair, []).append((int(start), int(end)))

    def clear(self) -> None:
        self._failing.clear()
        self._outputs.clear()
        self._gaps.clear()

    def _model(self, method: str, cid: Any) -> Model:
        if not isinstance(cid, str):
            raise DevnetError(f"{method}: cid must be a string, got {type(cid).__name__}")
        try:
            return self._models.get(cid)
        except PrecompileError as exc:
            raise DevnetError(f"{method}: {exc}") from None

    # --- read by the precompiles and the price feed -------------------------------------
    def check_model(self, cid: str) -> None:
        if cid in self._failing:
            raise PrecompileError(f"model {cid} failed: {self._failing[cid]}")

    def output_for(self, cid: str) -> dict[str, Any] | None:
        return self._outputs.get(cid)

    def gaps(self, base: str, quote: str) -> list[tuple[int, int]]:
        return self._gaps.get((base.upper(), quote.upper()), [])

    def state(self) -> tuple[Any, ...]:
        return deepcopy((self._failing, self._outputs, self._gaps))

    def restore(self, state: tuple[Any, ...]) -> None:
        self._failing, self._outputs, self._gaps = deepcopy(state)


def _tensor(cid: str, name: str, value: Any) -> Any:
    """Numbers and nested lists as an array; anything else (strings, JSON values) as is."""
    if not isinstance(value, (list, tuple, int, float, np.generic)):
        return value
    try:
        return np.asarray(value)
    except ValueError:
        raise DevnetError(
            f"set_output: model {cid}: output {name!r} is not a tensor (rows of unequal length)"
        ) from None
