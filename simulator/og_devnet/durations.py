"""Durations and points in time as people write them: ``90s``, ``15m``, ``1h30m``, ``7d``,
``2023-05-01``.

The ``og`` command, the pytest plugin's options and its time-travel helper all read time here,
so ``og advance 7d``, ``og devnet --genesis-time 2023-01-01`` and
``pytest --og-genesis-time 2023-01-01`` mean the same thing. Errors are ``ValueError``s whose
message says what was wrong and gives an example; callers add the option's name.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")
EXAMPLES = "e.g. 90s, 15m, 1h30m, 7d, or a number of seconds"


def seconds(value: Any, *, bare_unit: str = "s") -> float:
    """``value`` in seconds: a number (in ``bare_unit``), or a string of number-unit parts
    (``90s``, ``15m``, ``1.5h``, ``1h30m``, ``7d``, ``2w``). Negative, infinite and NaN
    durations are refused."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration ({EXAMPLES})")
    if isinstance(value, (int, float)):
        result = float(value) * UNITS[bare_unit]
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if _WHOLE.fullmatch(text):
            result = sum(float(n) * UNITS[unit] for n, unit in _PART.findall(text))
        else:
            try:
                result = float(text) * UNITS[bare_unit]
            except ValueError:
                raise ValueError(f"{value!r} is not a duration ({EXAMPLES})") from None
    else:
        raise ValueError(f"a duration must be a number or a string, got {type(value).__name__}")
    if not math.isfinite(result) or result < 0:
        raise ValueError(f"{value!r} is not a duration: it must be 0 or more ({EXAMPLES})")
    return result


def whole_seconds(value: Any, *, bare_unit: str = "s") -> int:
    """:func:`seconds`, which must come to a whole number (the chain's clock has no
    fractions of a second)."""
    result = seconds(value, bare_unit=bare_unit)
    if result != int(result):
        raise ValueError(f"{value!r} is {result:g} s: the chain counts whole seconds")
    return int(result)


def whole(value: Any, unit: str) -> int:
    """:func:`seconds` as a whole number of ``unit`` (``"m"``, ``"h"``): a bare number is in
    that unit too, so ``--hours 2`` and ``--hours 2h`` agree."""
    result = seconds(value, bare_unit=unit) / UNITS[unit]
    if result != int(result):
        raise ValueError(f"{value!r} is not a whole number of {_UNIT_NAMES[unit]}")
    return int(result)


_UNIT_NAMES = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def timestamp(value: Any) -> int:
    """Unix seconds from an int (or its digits), or an ISO 8601 date or date-time
    (``2023-05-01``, ``2023-05-01T12:00``, ``2023-05-01T12:00:00+02:00``); without an offset
    it is UTC."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a time")
    if isinstance(value, int):
        result = value
    elif isinstance(value, datetime):
        result = int(_utc(value).timestamp())
    elif isinstance(value, str) and value.strip().isdigit():
        result = int(value.strip())
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a time: give unix seconds (1672531200) or an ISO date "
                "(2023-01-01, 2023-01-01T12:00:00Z)"
            ) from None
        result = int(_utc(parsed).timestamp())
    else:
        raise ValueError(f"a time must be unix seconds or an ISO date, got {type(value).__name__}")
    if result < 0:
        raise ValueError(f"{value!r} is before 1970: the chain's clock starts at 0")
    return result


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def show(seconds_: float) -> str:
    """A duration for people: ``3600`` -> ``1h``, ``5400`` -> ``1h30m``, ``45`` -> ``45s``."""
    left = int(seconds_)
    if left == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, left = divmod(left, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def iso(moment: int) -> str:
    """Unix seconds as an ISO date-time in UTC (``2025-01-01T00:00:00Z``)."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
