"""Fault injection for tests of error paths: failing models, fixed outputs, price gaps."""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from typing import Any

import numpy as np

from .errors import PrecompileError


class Faults:
    """Faults the precompiles apply. The pytest plugin resets them around each test."""

    def __init__(self) -> None:
        self._failing: dict[str, str] = {}
        self._outputs: dict[str, dict[str, Any]] = {}
        self._gaps: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def fail_model(self, cid: str, reason: str = "injected fault") -> None:
        """Every inference on ``cid`` reverts with ``reason``."""
        self._failing[cid] = reason

    def set_output(self, cid: str, outputs: Mapping[str, Any]) -> None:
        """Inferences on ``cid`` return ``outputs`` (name -> array/str/json) instead of running."""
        self._outputs[cid] = {
            k: v if not isinstance(v, (list, int, float)) else np.asarray(v)
            for k, v in outputs.items()
        }

    def price_gap(self, base: str, quote: str, start: int, end: int) -> None:
        """Candles of the pair with open time in [start, end) are missing."""
        if end <= start:
            raise ValueError(f"price gap must have end > start, got [{start}, {end})")
        self._gaps.setdefault((base.upper(), quote.upper()), []).append((int(start), int(end)))

    def clear(self) -> None:
        self._failing.clear()
        self._outputs.clear()
        self._gaps.clear()

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
