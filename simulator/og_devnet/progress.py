"""Progress on stderr for work that may take more than a second, on a terminal or not.

A step that ends within ``AFTER`` seconds prints nothing, so fast commands stay quiet. A
longer one prints ``og: <what> ...`` once, a line every ``EVERY`` seconds while it lasts and
``og: <what>: done in 2.3 s`` at the end. Lines, not a redrawn bar, so the same output reads
in a terminal, a CI log and a file; counted work (``og advance``'s scheduled runs) says how far
it is (``1200/10080 runs, 12%``). Everything goes to stderr: stdout stays the command's result
(``--json`` included).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

AFTER = 1.0  # seconds a step may take before it is reported
EVERY = 5.0  # seconds between lines while it lasts


class Reporter:
    """Writes progress lines to ``stream`` unless ``quiet``."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        """One line, ``og: text``, unless quiet."""
        if self.quiet:
            return
        with self._lock:
            self.stream.write(f"og: {text}\n")
            self.stream.flush()

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Report ``what`` if it takes longer than ``AFTER`` seconds (see the module)."""
        if self.quiet:
            yield
            return
        started = time.monotonic()
        finished = threading.Event()
        shown = threading.Event()

        def show() -> None:
            shown.set()
            self.line(f"{what} ...")

        def watch() -> None:
            if not shown.is_set():
                if finished.wait(AFTER):
                    return
                show()
            while not finished.wait(EVERY):
                self.line(f"{what}: {time.monotonic() - started:.0f} s so far")

        if AFTER <= 0:  # at once, in this thread (what tests rely on)
            show()
        watcher = threading.Thread(target=watch, name="og-progress", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            finished.set()
            watcher.join()
            if shown.is_set():
                self.line(f"{what}: done in {time.monotonic() - started:.1f} s")

    def counter(self, what: str, unit: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback: a line after ``AFTER`` seconds and every
        ``EVERY`` seconds after it, and the last one when ``done == total`` if any was shown."""
        started = time.monotonic()
        state = {"next": started + AFTER, "shown": False}

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            due = state["shown"] if done >= total else now >= state["next"]
            if self.quiet or not due:
                return
            state["next"], state["shown"] = now + EVERY, True
            share = f", {100 * done // total}%" if total else ""
            self.line(f"{what}: {done}/{total} {unit}{share}, {now - started:.0f} s")

        return progress
