"""Scheduled workflow runs: the devnet's stand-in for the network's scheduler nodes.

Tasks live on chain in the WorkflowScheduler contract (so chain snapshots cover them); this
module reads them, and when the clock passes a due time it sends ``executeTask`` from the
executor account, in a block at that due time. Runs due at the same second share a block, in
order of registration.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_abi import decode, encode
from eth_utils import to_checksum_address

from og_alpha.contracts import WORKFLOW_SCHEDULER_ADDRESS
from og_alpha.wire import selector

from .errors import DevnetError

if TYPE_CHECKING:
    from .devnet import Devnet

TASK = "(address,address,uint256,uint256,uint256,uint256,uint256,bool)"
_GET_TASKS = selector("getTasks(uint256,uint256)")
_EXECUTE = selector("executeTask(uint256)")
_TASK_EXECUTED = "TaskExecuted(uint256,uint256,bool,bytes)"
EXECUTE_GAS = 30_000_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Task:
    """A registered schedule, as the WorkflowScheduler contract holds it."""

    task_id: int
    owner: str
    contract_address: str
    end_time: int
    frequency: int
    next_run: int
    runs: int
    failures: int
    active: bool

    def due_times(self, until: int) -> list[int]:
        if not self.active:
            return []
        last = min(until, self.end_time)
        return list(range(self.next_run, last + 1, self.frequency)) if self.next_run <= last else []


class Scheduler:
    def __init__(self, devnet: Devnet) -> None:
        self._devnet = devnet

    def tasks(self) -> list[Task]:
        """Every task registered on the scheduler contract, in registration order."""
        out: list[Task] = []
        while True:
            raw = self._devnet.call(
                WORKFLOW_SCHEDULER_ADDRESS,
                _GET_TASKS + encode(["uint256", "uint256"], [len(out), 200]),
            )
            page = decode([f"{TASK}[]"], raw)[0]
            first = len(out)
            out.extend(
                Task(first + i, to_checksum_address(t[0]), to_checksum_address(t[1]), *t[2:])
                for i, t in enumerate(page)
            )
            if len(page) < 200:
                return out

    def pending_runs(self, until: int) -> int:
        return sum(len(t.due_times(until)) for t in self.tasks())

    def run_until(self, timestamp: int, progress: Progress | None = None) -> int:
        """Execute every run due at or before ``timestamp``; returns how many ran."""
        heap: list[tuple[int, int, int]] = []
        for task in self.tasks():
            if task.active and task.next_run <= min(timestamp, task.end_time):
                heap.append((task.next_run, task.task_id, task.frequency))
        ends = {t.task_id: t.end_time for t in self.tasks()} if heap else {}
        heapq.heapify(heap)
        total = sum(len(t.due_times(timestamp)) for t in self.tasks()) if heap else 0
        done = 0
        while heap:
            due = heap[0][0]
            batch = []
            while heap and heap[0][0] == due:
                batch.append(heapq.heappop(heap))
            block_time = max(due, self._devnet.now + 1)
            self._devnet._mine_system_block(
                block_time, [self._execute_data(tid) for _, tid, _ in batch]
            )
            for _, task_id, frequency in batch:
                nxt = due + frequency
                if nxt <= min(timestamp, ends[task_id]):
                    heapq.heappush(heap, (nxt, task_id, frequency))
            done += len(batch)
            if progress is not None:
                progress(done, total)
        return done

    @staticmethod
    def _execute_data(task_id: int) -> bytes:
        return _EXECUTE + encode(["uint256"], [task_id])


def check_time(now: int, timestamp: Any) -> int:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise DevnetError(f"timestamp must be an int of unix seconds, got {timestamp!r}")
    if timestamp < now:
        raise DevnetError(
            f"time never moves backwards: the chain is at {now}, asked for {timestamp}; "
            "use a snapshot and revert to go back"
        )
    return timestamp
