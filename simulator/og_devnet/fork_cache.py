"""What a remote block held, kept on disk, so that the next fork of the same block (a test
session, a restart) asks the remote only for what no earlier fork read.

One SQLite file per block: ``<directory>/<chain id>/<block hash>.sqlite`` (the hash, not the
number: a devnet restarted from scratch has another block N). It is used only for a block the
user pinned (``--fork-block-number``, or the block a ``--state`` journal recorded), as anvil
does: forks of "latest" would leave a file per run. Pytest workers and several ``og devnet``
share the files safely (SQLite's locking). The directory is ``$OG_FORK_CACHE``, else
``~/.cache/og-devnet/fork``; ``OG_FORK_CACHE=off`` keeps nothing on disk.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from .fork_rpc import ForkError

ENV_CACHE = "OG_FORK_CACHE"
DEFAULT_DIRECTORY = Path("~/.cache/og-devnet/fork")
_SCHEMA = """
create table if not exists account
    (address blob primary key, balance text, nonce text, code blob);
create table if not exists storage
    (address blob, slot blob, value text, primary key (address, slot));
"""


def directory() -> Path | None:
    """Where fork caches live (None: ``OG_FORK_CACHE=off``)."""
    given = os.environ.get(ENV_CACHE, "").strip()
    if given.lower() == "off":
        return None
    return Path(given or DEFAULT_DIRECTORY).expanduser()


class DiskCache:
    """Accounts and storage slots of one remote block, by address (and slot)."""

    def __init__(self, root: Path, chain_id: int, block_hash: bytes) -> None:
        self.path = root / str(chain_id) / f"0x{block_hash.hex()}.sqlite"
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db: sqlite3.Connection | None = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._setup(self._db)
        except (OSError, sqlite3.Error) as exc:
            raise ForkError(
                f"cannot use the fork cache {self.path} ({exc}): set {ENV_CACHE} to a writable "
                f"directory, or {ENV_CACHE}=off to keep nothing on disk"
            ) from None

    @staticmethod
    def _setup(db: sqlite3.Connection) -> None:
        """WAL mode and the schema. Two processes (pytest -n workers) opening the same
        block's cache at once can find it locked while the other switches it to WAL, which
        the busy timeout does not cover: wait and try again."""
        for attempt in range(100):
            try:
                db.execute("pragma journal_mode=wal")
                db.execute("pragma synchronous=normal")  # a cache: no fsync per answer
                db.executescript(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)

    def account(self, address: bytes) -> tuple[int, int, bytes] | None:
        row = self._get("select balance, nonce, code from account where address = ?", address)
        return None if row is None else (int(row[0]), int(row[1]), bytes(row[2]))

    def put_account(self, address: bytes, balance: int, nonce: int, code: bytes) -> None:
        self._put(
            "insert or ignore into account values (?, ?, ?, ?)",
            (address, str(balance), str(nonce), code),
        )

    def storage(self, address: bytes, slot: int) -> int | None:
        row = self._get(
            "select value from storage where address = ? and slot = ?", address, _word(slot)
        )
        return None if row is None else int(row[0])

    def put_storage(self, address: bytes, slot: int, value: int) -> None:
        self._put(
            "insert or ignore into storage values (?, ?, ?)", (address, _word(slot), str(value))
        )

    def _get(self, query: str, *args: bytes) -> tuple[Any, ...] | None:
        with self._lock:
            if self._db is None:
                return None
            try:
                row: tuple[Any, ...] | None = self._db.execute(query, args).fetchone()
                return row
            except sqlite3.Error:
                self._db = None  # a damaged file: go on without it (the remote has it all)
                return None

    def _put(self, query: str, row: tuple[object, ...]) -> None:
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute(query, row)
            except sqlite3.Error:
                self._db = None  # a full disk: go on without keeping more

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _word(slot: int) -> bytes:
    return slot.to_bytes(32, "big")
