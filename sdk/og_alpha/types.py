"""Public value types of the Alpha API (names and fields as the network's SDK documents them)."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class SchedulerParams:
    """Run a workflow every ``frequency`` seconds for ``duration_hours`` hours."""

    frequency: int
    duration_hours: int

    @property
    def duration_seconds(self) -> int:
        return int(self.duration_hours) * 3600

    def end_time(self, now: int) -> int:
        """End time (unix seconds) for a schedule that starts at ``now`` (chain time)."""
        return int(now) + self.duration_seconds


@dataclass
class ModelOutput:
    """A decoded model output: numeric tensors, string tensors and parsed JSON values."""

    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    strings: dict[str, np.ndarray] = field(default_factory=dict)
    jsons: dict[str, Any] = field(default_factory=dict)
    is_simulation_result: bool = False

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
            and self.jsons == other.jsons
            and _same_arrays(self.numbers, other.numbers)
            and _same_arrays(self.strings, other.strings)
        )


def _same_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@dataclass
class InferenceResult:
    """What ``Alpha.infer`` returns: the transaction hash and the outputs by tensor name."""

    transaction_hash: str
    model_output: dict[str, Any]
    inference_id: str | None = None
