"""Snapshots beside a ``--state`` journal, so a restart loads the state instead of replaying
every call since genesis.

``FILE.snapshot`` holds the devnet's whole state (``statefile``) after journal entry *k*, and
says so: the journal's id, *k*, and the summary entry *k* recorded. A restart loads it and
replays entries *k+1*... only. The journal stays the source of truth: a snapshot is written
to a temporary file, fsynced and renamed into place, so a crash leaves the old one or the
new one whole; one that is missing, damaged or of another journal is ignored (with a note)
and the journal replayed from the start. Nothing acknowledged depends on a snapshot.

When: once the calls since the last snapshot would take a restart more than
``TAIL_SECONDS`` to replay and more than ``OVERHEAD`` times what writing the last snapshot
took (so snapshots cost a bounded share of the node's time however big the chain grows);
after a long replay at startup; on a clean shutdown; and when a process that never closed
its journal exits (each ``og ... --state`` command) with a tail worth ``EXIT_SECONDS``. The
state is copied under the node's lock (a database dict copy) and encoded and written by a
background thread.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import statefile
from .journal import Journal, fsync_dir

if TYPE_CHECKING:
    from .node import Node

SUFFIX = ".snapshot"
TAIL_SECONDS = 2.0
EXIT_SECONDS = 0.5
OVERHEAD = 4.0
# Replay cost of one sealed block or one journaled call before any was measured: a block of
# scheduled runs (the costly kind) takes about this long.
SECONDS_PER_UNIT = 0.03


def note(message: str) -> None:
    print(f"og: {message}", file=sys.stderr, flush=True)


class Checkpoints:
    """Writes and loads the snapshot of one journal's devnet."""

    def __init__(self, node: Node, journal: Journal) -> None:
        self.node = node
        self.journal = journal
        self.path = journal.path.with_name(journal.path.name + SUFFIX)
        self.tail_seconds = TAIL_SECONDS
        self.covered = 0  # journal entries the newest snapshot holds
        self.per_unit = SECONDS_PER_UNIT
        self._units = 0  # blocks sealed and calls journaled since the newest snapshot
        self._write_seconds = 0.0
        self._writer: threading.Thread | None = None
        self._failure: str | None = None

    # --- restart -------------------------------------------------------------------------------
    def restore(self) -> int:
        """Load the snapshot into the node's devnet if it belongs to this journal; returns the
        number of journal entries it holds (0: replay everything)."""
        Path(str(self.path) + ".tmp").unlink(missing_ok=True)  # a write a crash cut short
        if not self.journal.entries:  # a new journal: a snapshot here is of an earlier one
            self.path.unlink(missing_ok=True)
        if not self.path.exists():
            return 0
        what = f"the snapshot {self.path}"
        try:
            decoded = statefile.decode(self.path.read_bytes(), what)
        except (OSError, statefile.StateFileError) as exc:
            note(f"ignoring {what} ({exc}); replaying the journal from the start")
            return 0
        binding = decoded.meta.get("journal") or {}
        covered = binding.get("entries")
        entries = self.journal.entries
        if (
            binding.get("id") != self.journal.header.get("id")
            or not isinstance(covered, int)
            or not 0 < covered <= len(entries)
            or entries[covered - 1].after != binding.get("after")
        ):
            note(
                f"ignoring {what}: it is not of this journal; replaying the journal from the start"
            )
            return 0
        statefile.restore(self.node.devnet, decoded, what)
        if statefile.fingerprint(self.node.devnet) != binding["after"]:
            raise statefile.StateFileError(
                f"{what} does not rebuild the state it recorded; delete it (the journal has "
                "everything) and start again"
            )
        self.covered = covered
        return covered

    def start(self, replay_seconds: float, replayed_units: int) -> None:
        """Follow the journal from now on; snapshot at once if the replay was long."""
        if replayed_units and replay_seconds > 0.5:
            self.per_unit = min(max(replay_seconds / replayed_units, 0.001), 0.1)
        self._units = replayed_units
        self.node.chain.block_listeners.append(self._on_block)
        self.journal.on_append.append(self._after_append)
        self.journal.on_close.append(self.close)
        atexit.register(self._at_exit)
        if replay_seconds > self.tail_seconds:
            self._snapshot()

    # --- while serving (called under the node's lock) ------------------------------------------
    def _on_block(self, block: Any) -> None:
        self._units += 1

    def _after_append(self, entry: int) -> None:
        self._units += 1
        tail = self._units * self.per_unit
        if tail >= max(self.tail_seconds, OVERHEAD * self._write_seconds):
            self._snapshot()

    def _snapshot(self, background: bool = True) -> None:
        if self._writer is not None and self._writer.is_alive():
            if background:
                return
            self._writer.join()
        entry = self.journal.count
        if entry <= self.covered:
            return
        try:
            with self.node.lock:
                captured = statefile.capture(
                    self.node.devnet,
                    meta={
                        "journal": {
                            "id": self.journal.header.get("id"),
                            "entries": entry,
                            "after": statefile.fingerprint(self.node.devnet),
                        }
                    },
                )
        except statefile.StateFileError as exc:
            self._failed(str(exc))
            return
        units, self._units = self._units, 0
        if not background:
            self._write(captured, entry, units)
            return
        # Not a daemon: a process exiting (the og CLI) finishes the snapshot first.
        self._writer = threading.Thread(
            target=self._write, args=(captured, entry, units), name="og-snapshot"
        )
        self._writer.start()

    def _write(self, captured: statefile.Captured, entry: int, units: int) -> None:
        start = time.monotonic()
        temporary = Path(str(self.path) + ".tmp")
        try:
            data = statefile.encode(captured)
            with temporary.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.path)
            fsync_dir(self.path)
        except (OSError, statefile.StateFileError) as exc:
            temporary.unlink(missing_ok=True)
            with self.node.lock:
                self._units += units
            self._failed(getattr(exc, "strerror", None) or str(exc))
            return
        self.covered = entry
        self._write_seconds = time.monotonic() - start
        self._failure = None

    def _failed(self, reason: str) -> None:
        if reason != self._failure:
            note(
                f"could not write the snapshot {self.path} ({reason}); nothing is lost (the "
                "journal has every change) but a restart replays more"
            )
        self._failure = reason
        # try again once as much more is at stake
        self._write_seconds = max(self._write_seconds * 2, self.tail_seconds)

    def close(self) -> None:
        """On a clean shutdown: wait for a write under way, then snapshot what is left."""
        atexit.unregister(self._at_exit)
        self._snapshot(background=False)

    def _at_exit(self) -> None:
        """A process ending without closing its journal: keep a costly tail in a snapshot,
        so the next command does not replay it."""
        if not self.journal.closed and self._units * self.per_unit >= EXIT_SECONDS:
            self._snapshot(background=False)
