"""Public value types of the Alpha API: the official SDK's names, fields and behaviour.

Each type takes the same arguments as its namesake in the official ``opengradient`` package
(``opengradient.types``) and has at least its fields, so code written for one runs on the
other. What is added (``FixedPoint``, ``ModelOutput.fixed_point``,
``InferenceResult.inference_id``) has defaults and changes nothing for such code.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from typing import Any

import numpy as np


class InferenceMode(IntEnum):
    """How the network proves an inference; the devnet runs all three the same way."""

    VANILLA = 0
    ZKML = 1
    TEE = 2


class CandleOrder(IntEnum):
    ASCENDING = 0
    DESCENDING = 1


class CandleType(IntEnum):
    """Column of a price candle; the values are the wire's uint8 codes."""

    HIGH = 0
    LOW = 1
    OPEN = 2
    CLOSE = 3
    VOLUME = 4


@dataclass
class HistoricalInputQuery:
    """Which candles a workflow feeds its model: the last ``total_candles`` of a pair."""

    base: str
    quote: str
    total_candles: int
    candle_duration_in_mins: int
    order: CandleOrder
    candle_types: list[CandleType]

    def to_abi_format(self) -> tuple[str, str, int, int, int, list[int]]:
        return (
            self.base,
            self.quote,
            int(self.total_candles),
            int(self.candle_duration_in_mins),
            int(self.order),
            [int(c) for c in self.candle_types],
        )

    @classmethod
    def from_abi(cls, value: tuple[Any, ...]) -> HistoricalInputQuery:
        base, quote, total, duration, order, types = value
        return cls(base, quote, total, duration, CandleOrder(order), [CandleType(t) for t in types])


SCHEDULE_DEFAULTS = {"frequency": 600, "duration_hours": 2}  # the official from_dict's


@dataclass
class SchedulerParams:
    """Run a workflow every ``frequency`` seconds for ``duration_hours`` hours.

    ``end_time`` is the official SDK's: the wall clock now plus the duration, what it
    registers. ``Alpha.new_workflow`` registers ``ends_at(chain time)`` instead: the same on
    the live network (its blocks follow the wall clock), and on a devnet, whose clock is
    virtual, the only end that makes a schedule last ``duration_hours`` of chain time.
    """

    frequency: int
    duration_hours: int

    @property
    def duration_seconds(self) -> int:
        return int(self.duration_hours) * 3600

    @property
    def end_time(self) -> int:
        """Unix seconds at which a schedule registered now ends, by the wall clock."""
        return self.ends_at(int(time.time()))

    def ends_at(self, now: int) -> int:
        """Unix seconds at which a schedule starting at ``now`` ends."""
        return int(now) + self.duration_seconds

    @staticmethod
    def from_dict(data: dict[str, int] | None) -> SchedulerParams | None:
        """``SchedulerParams`` from ``{"frequency": s, "duration_hours": h}``, missing keys
        taking the official defaults (600 s, 2 h); None for None."""
        if data is None:
            return None
        merged = {**SCHEDULE_DEFAULTS, **data}
        return SchedulerParams(merged["frequency"], merged["duration_hours"])


@dataclass(frozen=True)
class FixedPoint:
    """A number tensor exactly as the chain carries it: element ``i`` is
    ``values[i] * 10**-decimals[i]``, row-major in ``shape``.

    ``ModelOutput.numbers`` holds these rounded to float32 (the official SDK's type); this is
    for when the rounding matters: integers beyond 2**24, prices with many digits, float64
    models. ``to_decimal()`` gives the exact values.
    """

    values: tuple[int, ...]
    decimals: tuple[int, ...]
    shape: tuple[int, ...]

    def to_decimal(self) -> np.ndarray:
        """The exact values as ``decimal.Decimal`` objects, in ``shape`` (dtype object)."""
        flat = np.empty(len(self.values), dtype=object)
        for i, (value, decimals) in enumerate(zip(self.values, self.decimals, strict=True)):
            # the tuple form is exact: Decimal arithmetic would round to 28 digits
            digits = tuple(int(c) for c in str(abs(value)))
            flat[i] = Decimal((int(value < 0), digits, -int(decimals)))
        if math.prod(self.shape) == flat.size:
            return flat.reshape(self.shape)
        return flat


@dataclass
class ModelOutput:
    """A decoded model output, as the official SDK gives it.

    ``numbers``: float32 arrays, whatever the values (the exact values are in
    ``fixed_point``); ``strings``: str arrays; ``jsons``: ``np.array`` of each parsed JSON
    value (a 0-d object array where numpy cannot make an array of it, or holding the text
    when it is not JSON).
    """

    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    strings: dict[str, np.ndarray] = field(default_factory=dict)
    jsons: dict[str, np.ndarray] = field(default_factory=dict)
    is_simulation_result: bool = False
    fixed_point: dict[str, FixedPoint] = field(default_factory=dict, repr=False)

    def is_empty(self) -> bool:
        return not (self.numbers or self.strings or self.jsons)

    def as_dict(self) -> dict[str, Any]:
        """All outputs by tensor name, the shape ``InferenceResult.model_output`` has."""
        return {**self.numbers, **self.strings, **self.jsons}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelOutput):
            return NotImplemented
        return (
            self.is_simulation_result == other.is_simulation_result
            and self.fixed_point == other.fixed_point
            and _same_arrays(self.numbers, other.numbers)
            and _same_arrays(self.strings, other.strings)
            and _same_arrays(self.jsons, other.jsons)
        )


def _same_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a
    )


@dataclass
class InferenceResult:
    """What ``Alpha.infer`` returns: the transaction hash (``0x`` hex) and the outputs by
    tensor name; ``inference_id`` is the network's id of the inference, ``fixed_point`` the
    exact values of the number outputs (see :class:`FixedPoint`)."""

    transaction_hash: str
    model_output: dict[str, np.ndarray]
    inference_id: str | None = None
    fixed_point: dict[str, FixedPoint] = field(default_factory=dict, repr=False)
