"""The journal behind ``og devnet --state``: every acknowledged state change, durably.

One JSON line per call that changed state, flushed and fsynced before the call is answered.
The devnet is deterministic, so replaying the lines in order on a fresh devnet rebuilds the
same chain: same block hashes, same history. A torn last line (a crash mid-write) was never
acknowledged and is dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Journal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._truncate_torn_tail()
        self._file = self.path.open("ab")

    def _truncate_torn_tail(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with self.path.open("r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())

    def entries(self) -> Iterator[tuple[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for line in f:
                if line.endswith(b"\n"):
                    entry = json.loads(line)
                    yield entry["m"], entry["p"]

    def append(self, method: str, params: Any) -> None:
        line = json.dumps({"m": method, "p": params}, separators=(",", ":")).encode() + b"\n"
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()
