"""Plain-text tables for the CLI and the demo (no terminal library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def fmt(value: Any, width: int = 48) -> str:
    """A short, readable rendering of a tensor, string or JSON value."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            text = np.array2string(
                value,
                precision=6,
                separator=", ",
                max_line_width=10**6,
                threshold=8,
                suppress_small=True,
            )
        else:
            text = np.array2string(value, separator=", ", max_line_width=10**6, threshold=8)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={fmt(v, width)}" for k, v in value.items())
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
