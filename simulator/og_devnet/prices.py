"""Price candles for the 0x…F5 precompile: seeded synthetic series, CSV data, test rows.

Synthetic prices are a pure function of (pair, minute), so any window is computed directly,
without replaying history, and the same query always sees the same candles.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from og_alpha import wire

from .durations import iso
from .errors import PriceDataError

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
# CandleType codes (wire): HIGH=0, LOW=1, OPEN=2, CLOSE=3, VOLUME=4 -> column in Candles.values
_TYPE_COLUMN = {0: 1, 1: 2, 2: 0, 3: 3, 4: 4}
MAX_CANDLES = 10_000
# Queries kept answered: a block's simulation and its transaction ask for the same window,
# and so do the scheduled runs of one block. Checked by their data's identity (never edited).
QUERIES_KEPT = 64
ENCODINGS_KEPT = 8  # wire encodings kept per candles (column choices and order)
# Where a devnet's start time is set, for errors about data the chain's time does not reach.
_GENESIS_HINT = " (Devnet(genesis_time=...), og devnet --genesis-time, pytest --og-genesis-time)"
SYNTHETIC_START = 1_704_067_200  # 2024-01-01T00:00:00Z: synthetic history begins here
DEFAULT_SYNTHETIC = {
    ("BTC", "USD"): 60_000.0,
    ("ETH", "USD"): 3_300.0,
    ("SOL", "USD"): 150.0,
    ("ETH", "BTC"): 0.055,
    ("OG", "USD"): 1.0,
}


@dataclass(frozen=True)
class Candles:
    """Candles oldest first: ``timestamps`` (open times) and ``values`` [n, 5] =
    open, high, low, close, volume."""

    timestamps: np.ndarray
    values: np.ndarray
    _wire: dict[Any, tuple[list[Any], list[int]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.timestamps)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, COLUMNS.index(name) - 1]

    def tensor(self, candle_types: Sequence[int], order: int = 0) -> np.ndarray:
        """[len, len(candle_types)] float64, in ``order`` (0 ascending, 1 descending) — the
        tensor the precompile feeds the model."""
        cols = [_TYPE_COLUMN[int(t)] for t in candle_types]
        rows = self.values[:, cols]
        return rows[::-1] if int(order) == 1 else rows

    def numbers(self, candle_types: Sequence[int], order: int = 0) -> tuple[list[Any], list[int]]:
        """``tensor(candle_types, order)`` as the wire's Numbers (flattened) and shape, as
        the precompile sends them to the model: encoded once (not to be changed)."""
        key = (tuple(int(t) for t in candle_types), int(order))
        found = self._wire.get(key)
        if found is None:
            if len(self._wire) >= ENCODINGS_KEPT:
                self._wire.clear()
            _, (_, numbers, shape) = wire.encode_tensor("candles", self.tensor(candle_types, order))
            found = self._wire[key] = (numbers, shape)
        return found


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a counter-based hash, so minute m's noise needs no history."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _uniform(seed: int, minutes: np.ndarray, stream: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        key = minutes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(
            (seed * 8 + stream) & 0xFFFFFFFFFFFFFFFF
        )
    return (_mix(key) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@dataclass(frozen=True)
class Synthetic:
    """A plausible, deterministic 1-minute series around ``start_price``."""

    seed: int
    start_price: float

    def minute_closes(self, minutes: np.ndarray) -> np.ndarray:
        t = minutes.astype(np.float64)
        phases = [_uniform(self.seed, np.array([k]), 7)[0] * 2 * math.pi for k in range(3)]
        drift = (
            0.06 * np.sin(2 * math.pi * t / (60 * 24 * 29) + phases[0])
            + 0.02 * np.sin(2 * math.pi * t / (60 * 24 * 3.1) + phases[1])
            + 0.006 * np.sin(2 * math.pi * t / (60 * 4.7) + phases[2])
        )
        noise = (_uniform(self.seed, minutes, 1) - 0.5) * 0.004
        return self.start_price * np.exp(drift + noise)

    def minutes(self, first: int, count: int) -> np.ndarray:
        """[count, 5] 1-minute candles from minute index ``first`` (unix time // 60)."""
        m = np.arange(first, first + count, dtype=np.int64)
        close = self.minute_closes(m)
        open_ = self.minute_closes(m - 1)
        span = np.maximum(open_, close)
        high = span * (1 + _uniform(self.seed, m, 2) * 0.0015)
        low = np.minimum(open_, close) * (1 - _uniform(self.seed, m, 3) * 0.0015)
        volume = 5 + _uniform(self.seed, m, 4) * 95
        digits = 2 if self.start_price >= 10 else 6
        out = np.stack([open_, high, low, close, volume], axis=1)
        out[:, :4] = np.round(out[:, :4], digits)
        out[:, 1] = np.maximum(out[:, 1], np.maximum(out[:, 0], out[:, 3]))
        out[:, 2] = np.minimum(out[:, 2], np.minimum(out[:, 0], out[:, 3]))
        out[:, 4] = np.round(volume, 4)
        return out


def _seed(base: str, quote: str) -> int:
    return int.from_bytes(hashlib.sha256(f"og-devnet:{base}/{quote}".encode()).digest()[:8], "big")


def check_pair(base: str, quote: str) -> tuple[str, str]:
    """A pair's two symbols, upper-case, or an error naming what was given."""
    if not (isinstance(base, str) and isinstance(quote, str) and base.strip() and quote.strip()):
        raise PriceDataError(f"a pair needs two non-empty symbols, got {base!r}/{quote!r}")
    return base.strip().upper(), quote.strip().upper()


class PriceFeed:
    """Candles by (base, quote, duration): explicit rows win over the synthetic series."""

    def __init__(
        self, clock: Callable[[], int], gaps: Callable[[str, str], list[tuple[int, int]]]
    ) -> None:
        self._clock = clock
        self._gaps = gaps
        self._synthetic: dict[tuple[str, str], Synthetic] = {
            pair: Synthetic(_seed(*pair), price) for pair, price in DEFAULT_SYNTHETIC.items()
        }
        self._rows: dict[tuple[str, str, int], dict[int, tuple[float, ...]]] = {}
        # (pair, duration, count, end) -> (the rows or series they came from, the candles)
        self._answered: dict[tuple[Any, ...], tuple[Any, Candles]] = {}

    # --- loading -------------------------------------------------------------------------
    def add_synthetic(self, base: str, quote: str, start_price: float) -> None:
        """Serve a seeded synthetic series for a new pair."""
        if (
            isinstance(start_price, bool)
            or not isinstance(start_price, (int, float, np.number))
            or not (math.isfinite(start_price) and start_price > 0)
        ):
            raise PriceDataError(f"start_price must be a positive number, got {start_price!r}")
        pair = check_pair(base, quote)
        self._synthetic[pair] = Synthetic(_seed(*pair), float(start_price))

    def set_candles(
        self, base: str, quote: str, duration_mins: int, rows: Iterable[Sequence[float | str]]
    ) -> int:
        """Set candles (timestamp, open, high, low, close, volume) for a pair and duration.

        Rows are validated first; on any bad row nothing changes. Returns the row count.
        """
        pair = check_pair(base, quote)
        duration = _duration(duration_mins)
        parsed: dict[int, tuple[float, ...]] = {}
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
            raise PriceDataError(
                f"rows must be a list of [timestamp, open, high, low, close, volume], got "
                f"{type(rows).__name__}"
            )
        for i, row in enumerate(rows):
            ts, values = _check_row(i, row, duration)
            parsed[ts] = values
        if not parsed:
            raise PriceDataError("no candle rows given")
        # a new dict, never an update in place: snapshots share the old one (copy-on-write)
        self._rows[(*pair, duration)] = {**self._rows.get((*pair, duration), {}), **parsed}
        return len(parsed)

    def load_csv(self, path: str | Path, base: str, quote: str, duration_mins: int = 1) -> int:
        """Load a CSV with columns timestamp, open, high, low, close, volume (header row)."""
        path = Path(path)
        try:
            with path.open(newline="") as f:
                reader = csv.DictReader(f)
                missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise PriceDataError(
                        f"{path}: missing column(s) {', '.join(missing)}; expected a header "
                        f"row {','.join(COLUMNS)}"
                    )
                rows = [[r[c] for c in COLUMNS] for r in reader]
        except OSError as exc:
            raise PriceDataError(
                f"cannot read price CSV {str(path)!r}: {exc.strerror or exc}"
            ) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise PriceDataError(f"{path}: not a readable CSV text file ({exc})") from None
        try:
            return self.set_candles(base, quote, duration_mins, rows)
        except PriceDataError as exc:
            raise PriceDataError(f"{path}: {exc}") from None

    def pairs(self) -> list[tuple[str, str]]:
        return sorted(set(self._synthetic) | {(b, q) for b, q, _ in self._rows})

    # --- queries -------------------------------------------------------------------------
    def candles(
        self, base: str, quote: str, duration_mins: int, count: int, end: int | None = None
    ) -> Candles:
        """The last ``count`` candles completed at or before ``end`` (default: chain time)."""
        b, q = check_pair(base, quote)
        duration = _duration(duration_mins)
        if (
            isinstance(count, bool)
            or not isinstance(count, (int, np.integer))
            or not 0 < int(count) <= MAX_CANDLES
        ):
            raise PriceDataError(f"candle count must be an int 1..{MAX_CANDLES}, got {count!r}")
        if end is not None and (isinstance(end, bool) or not isinstance(end, (int, np.integer))):
            raise PriceDataError(f"end must be a unix time in seconds (int), got {end!r}")
        end = self._clock() if end is None else int(end)
        rows = self._rows.get((b, q, duration))
        source: Any = rows if rows is not None else self._synthetic.get((b, q))
        key = (b, q, duration, int(count), end)
        kept = self._answered.get(key)
        if kept is not None and kept[0] is source:  # the same data: the same candles
            candles = kept[1]
        else:
            candles = self._compute(b, q, duration, int(count), end, rows)
            self._answered[key] = (source, candles)
            if len(self._answered) > QUERIES_KEPT:
                del self._answered[next(iter(self._answered))]
        opens = candles.timestamps
        for start, stop in self._gaps(b, q):  # faults change gaps: checked every time
            hit = (opens >= start) & (opens < stop)
            if hit.any():
                raise PriceDataError(
                    f"no {b}/{q} {duration}m candle at {int(opens[hit][0])}: gap in price data"
                )
        return candles

    def _compute(
        self,
        b: str,
        q: str,
        duration: int,
        count: int,
        end: int,
        rows: dict[int, tuple[float, ...]] | None,
    ) -> Candles:
        span = duration * 60
        last_open = end // span * span - span
        opens = np.arange(last_open - (count - 1) * span, last_open + 1, span, dtype=np.int64)
        if rows is not None:
            values = self._from_rows(b, q, duration, rows, opens)
        elif (b, q) in self._synthetic:
            values = self._from_synthetic(b, q, duration, opens)
        else:
            known = ", ".join(f"{x}/{y}" for x, y in self.pairs())
            raise PriceDataError(f"unknown pair {b}/{q} ({duration}m); known pairs: {known}")
        opens.flags.writeable = False  # kept and shared: answers never change
        values.flags.writeable = False
        return Candles(opens, values)

    def _from_rows(
        self, b: str, q: str, duration: int, rows: dict[int, tuple[float, ...]], opens: np.ndarray
    ) -> np.ndarray:
        missing = [int(t) for t in opens if int(t) not in rows]
        if missing:
            first = min(rows)
            if missing[0] < first:
                raise PriceDataError(
                    f"not enough {b}/{q} {duration}m history: {len(opens)} candles up to "
                    f"{int(opens[-1])} need data from {int(opens[0])}, data starts at {first}: "
                    f"ask for fewer candles, load earlier rows, or start the chain later"
                    f"{_GENESIS_HINT}"
                )
            last = max(rows)
            if missing[-1] > last:
                raise PriceDataError(
                    f"{b}/{q} {duration}m price data ends at {last} ({iso(last)}); the query "
                    f"at the chain's time needs candles up to {missing[-1]} ({iso(missing[-1])}): "
                    f"load rows up to then, or start the chain within the data{_GENESIS_HINT}"
                )
            raise PriceDataError(f"no {b}/{q} {duration}m candle at {missing[0]}: gap in data")
        return np.array([rows[int(t)] for t in opens], dtype=np.float64)

    def _from_synthetic(self, b: str, q: str, duration: int, opens: np.ndarray) -> np.ndarray:
        if opens[0] < SYNTHETIC_START:
            raise PriceDataError(
                f"not enough {b}/{q} history: the synthetic series starts at {SYNTHETIC_START}, "
                f"the query needs {int(opens[0])}"
            )
        minutes = self._synthetic[(b, q)].minutes(int(opens[0]) // 60, len(opens) * duration)
        per = minutes.reshape(len(opens), duration, 5)
        return np.stack(
            [
                per[:, 0, 0],
                per[:, :, 1].max(axis=1),
                per[:, :, 2].min(axis=1),
                per[:, -1, 3],
                np.round(per[:, :, 4].sum(axis=1), 4),
            ],
            axis=1,
        )

    # --- snapshots -----------------------------------------------------------------------
    def state(self) -> tuple[Any, ...]:
        # Inner dicts are replaced, never mutated, so shallow copies are true snapshots.
        return (dict(self._synthetic), dict(self._rows))

    def restore(self, state: tuple[Any, ...]) -> None:
        self._synthetic, self._rows = dict(state[0]), dict(state[1])


def _duration(duration_mins: Any) -> int:
    if (
        isinstance(duration_mins, bool)
        or not isinstance(duration_mins, (int, np.integer))
        or not 0 < int(duration_mins) <= 10_080
    ):
        raise PriceDataError(f"candle duration must be 1..10080 minutes, got {duration_mins!r}")
    return int(duration_mins)


def _check_row(i: int, row: Sequence[Any], duration: int) -> tuple[int, tuple[float, ...]]:
    if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
        raise PriceDataError(
            f"row {i}: expected a list of 6 values {','.join(COLUMNS)}, got {type(row).__name__}"
        )
    if len(row) != 6:
        raise PriceDataError(f"row {i}: expected 6 values {','.join(COLUMNS)}, got {len(row)}")
    try:
        ts = int(float(row[0]))
        o, h, lo, c, v = (float(x) for x in row[1:])
    except (TypeError, ValueError, OverflowError):
        raise PriceDataError(f"row {i}: values must be numbers, got {list(row)!r}") from None
    if not all(map(math.isfinite, (o, h, lo, c, v))):
        raise PriceDataError(f"row {i}: values must be finite")
    if ts % (duration * 60):
        raise PriceDataError(f"row {i}: timestamp {ts} is not aligned to {duration} minute(s)")
    if h < max(o, c) or lo > min(o, c) or v < 0:
        raise PriceDataError(
            f"row {i}: implausible candle (need high >= max(open, close), low <= min(open, "
            f"close), volume >= 0): {list(row)!r}"
        )
    return ts, (o, h, lo, c, v)
