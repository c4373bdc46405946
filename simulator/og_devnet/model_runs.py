"""Model runs within a time budget, so that one inference cannot hold the node for ever.

A model is a program: a 33 KB Loop of 2**62 iterations costs ~30k gas and would run for ever
under the node's lock, with every other client waiting. Each run therefore gets a budget.

onnxruntime checks ``RunOptions.terminate`` between operators, so setting it ends a long
Loop within one iteration. A single operator is not interruptible (a MatMul of two
8192x8192 matrices runs ~15 s to its end), so the run happens on a worker thread and the
caller stops waiting at the deadline: the call reverts, the node's lock is released, and
the operator finishes in the background. At most ``MAX_STRAGGLERS`` such runs may still be
finishing; while they are, new runs are refused at once rather than queued behind them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import onnxruntime as ort

# Runs past their budget that may still be finishing in the background (bounds CPU and memory
# spent on work whose caller has given up).
MAX_STRAGGLERS = 2
# After ``terminate`` is set, how long a run gets to notice it before it is left behind.
_GRACE_SECONDS = 0.25


class OverBudget(Exception):
    """The run did not end within its budget; it was stopped or left to finish."""

    def __init__(self, stopped: bool) -> None:
        super().__init__("over budget")
        self.stopped = stopped


class Busy(Exception):
    """Earlier runs past their budget are still finishing; ``count`` of them."""

    def __init__(self, count: int) -> None:
        super().__init__("busy")
        self.count = count


class _Job:
    __slots__ = ("abandoned", "done", "error", "finished", "options", "result", "work")

    def __init__(self, work: Callable[[ort.RunOptions], Any]) -> None:
        self.work = work
        self.options = ort.RunOptions()
        self.options.log_severity_level = 4  # a stopped run is the caller's revert, not a log
        self.done = threading.Event()
        self.finished = False  # under the runner's lock, with ``abandoned``
        self.abandoned = False
        self.result: Any = None
        self.error: BaseException | None = None


class Runner:
    """Runs ``work(run_options)`` on worker threads, each call within a time budget."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[_Job]] = []
        self._stragglers = 0

    def run(self, work: Callable[[ort.RunOptions], Any], seconds: float) -> Any:
        """``work``'s result, or its exception; ``OverBudget`` past ``seconds``; ``Busy`` if
        too many earlier runs are still finishing."""
        job = _Job(work)
        self._worker().put(job)
        try:
            if job.done.wait(seconds):
                if job.error is not None:
                    raise job.error
                return job.result
            job.options.terminate = True
            stopped = job.done.wait(_GRACE_SECONDS)
        except BaseException:  # Ctrl-C while waiting: stop the run too, and leave it
            job.options.terminate = True
            self._abandon(job)
            raise
        if not stopped:
            self._abandon(job)
        raise OverBudget(stopped)

    def stragglers(self) -> int:
        with self._lock:
            return self._stragglers

    def _worker(self) -> queue.SimpleQueue[_Job]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self._stragglers >= MAX_STRAGGLERS:
                raise Busy(self._stragglers)
        jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        # daemon: a straggler must not keep the process alive when the node exits
        threading.Thread(target=self._serve, args=(jobs,), name="og-model-run", daemon=True).start()
        return jobs

    def _abandon(self, job: _Job) -> None:
        with self._lock:
            if not job.finished:
                job.abandoned = True
                self._stragglers += 1

    def _serve(self, jobs: queue.SimpleQueue[_Job]) -> None:
        while True:
            job = jobs.get()
            try:
                job.result = job.work(job.options)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller as is
                job.error = exc
            with self._lock:
                job.finished = True
                if job.abandoned:
                    self._stragglers -= 1
                self._idle.append(jobs)
            job.done.set()
