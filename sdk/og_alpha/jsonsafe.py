"""JSON from untrusted sources, parsed within bounds.

py-evm and py_ecc raise the interpreter's recursion limit process-wide (to 100,000), so the
C JSON decoder no longer stops deep nesting in time and a body of 70,000 ``[`` overflows the
thread's C stack: the process dies. Every JSON document that comes from outside (a request
to the node, a node-API answer, a model's JSON output) is checked for depth before it is
parsed, and ``NaN``/``Infinity`` (not JSON) are refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

MAX_DEPTH = 128
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_DEPTH_TABLE = np.zeros(256, dtype=np.int8)
_DEPTH_TABLE[[ord("["), ord("{")]] = 1
_DEPTH_TABLE[[ord("]"), ord("}")]] = -1


class JSONLimitError(ValueError):
    """The document is nested deeper than allowed (or otherwise over a limit)."""


def depth(document: bytes) -> int:
    """The deepest nesting of arrays and objects in ``document`` (strings ignored)."""
    if document.count(b"[") + document.count(b"{") <= MAX_DEPTH:
        return document.count(b"[") + document.count(b"{")
    stripped = _STRING.sub(b'""', document)
    steps = _DEPTH_TABLE[np.frombuffer(stripped, dtype=np.uint8)]
    if not steps.any():
        return 0
    return int(np.cumsum(steps, dtype=np.int64).max())


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(document: bytes | str, *, max_depth: int = MAX_DEPTH, allow_nan: bool = False) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` before parsing and
    refuses NaN/Infinity unless ``allow_nan`` (a model's JSON output may hold them: Python's
    encoder writes them, and the official SDK reads them). Raises ``JSONLimitError`` or
    ``ValueError``."""
    raw = document.encode() if isinstance(document, str) else bytes(document)
    nesting = depth(raw)
    if nesting > max_depth:
        raise JSONLimitError(f"JSON nested {nesting} levels deep; the limit is {max_depth}")
    return json.loads(raw) if allow_nan else json.loads(raw, parse_constant=_constant)
