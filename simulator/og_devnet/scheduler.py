"""Scheduled workflow runs: the devnet's stand-in for the network's scheduler nodes.

Tasks live on chain in the WorkflowScheduler contract (so chain snapshots cover them); this
module reads them, and whenever the clock passes a due time, however it moves (a mined
transaction, ``evm_mine``, ``evm_increaseTime``, ``anvil_mine`` with an interval,
``advance``), it sends ``executeTask`` from the executor account in a block at that due time
first: one clock. Runs due at the same second share a block, in order of registration.
Every run, succeeded or failed, is reported (``TaskExecuted`` says which and why).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

from og_alpha.contracts import WORKFLOW_SCHEDULER_ADDRESS
from og_alpha.wire import decode_revert_reason, selector

from .errors import DevnetError
from .log import ScheduledRun
from .node.errors import RpcError

if TYPE_CHECKING:
    from .devnet import Devnet

TASK = "(address,address,uint256,uint256,uint256,uint256,uint256,bool)"
_GET_TASKS = selector("getTasks(uint256,uint256)")
_EXECUTE = selector("executeTask(uint256)")
_TASK_EXECUTED = int.from_bytes(keccak(b"TaskExecuted(uint256,uint256,bool,bytes)"), "big")
_SCHEDULER = bytes.fromhex(WORKFLOW_SCHEDULER_ADDRESS[2:])
EXECUTE_GAS = 30_000_000
# Runs one advance may execute; past it the call says how to go further (and changes nothing).
MAX_RUNS_PER_ADVANCE = 100_000

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

    def count_due(self, until: int) -> int:
        last = min(until, self.end_time)
        if not self.active or self.next_run > last:
            return 0
        return (last - self.next_run) // self.frequency + 1


@dataclass
class RunReport:
    """What a move of the clock ran: how many scheduled runs, which failed and why."""

    runs: list[ScheduledRun] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(r.ok for r in self.runs)

    @property
    def failed(self) -> list[ScheduledRun]:
        return [r for r in self.runs if not r.ok]

    def __len__(self) -> int:
        return len(self.runs)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": len(self.runs),
            "succeeded": self.succeeded,
            "failed": [
                {
                    "task_id": r.task_id,
                    "contract_address": r.contract_address,
                    "due_time": r.due_time,
                    "error": r.error,
                    "path": r.path,
                    "block_number": r.block_number,
                    "transaction_hash": r.transaction_hash,
                }
                for r in self.failed
            ],
        }

    def summary(self) -> str:
        text = f"{len(self.runs)} scheduled run(s): {self.succeeded} succeeded, {len(self.failed)} failed"
        for run in self.failed[:10]:
            text += f"\n  task {run.task_id} due {run.due_time}: {run.path or run.error}"
        if len(self.failed) > 10:
            text += f"\n  ... and {len(self.failed) - 10} more"
        return text


class ScheduledRunFailed(DevnetError):
    """A scheduled run failed while ``advance(..., raise_on_failure=True)`` was moving time."""

    def __init__(self, run: ScheduledRun) -> None:
        super().__init__(
            f"scheduled run of task {run.task_id} (workflow {run.contract_address}) due at "
            f"{run.due_time} failed in block {run.block_number}: {run.path or run.error}"
        )
        self.run = run


class Scheduler:
    def __init__(self, devnet: Devnet) -> None:
        self._devnet = devnet
        self._next_due: int | None = None
        self._known = False  # whether _next_due reflects the chain
        self._recording: RunReport | None = None
        self._contracts: dict[int, str] = {}
        self._raise_on_failure = False

    # --- what is on chain ----------------------------------------------------------------------
    def tasks(self) -> list[Task]:
        """Every task registered on the scheduler contract, in registration order."""
        out: list[Task] = []
        while True:
            try:
                raw = self._devnet.call(
                    WORKFLOW_SCHEDULER_ADDRESS,
                    _GET_TASKS + encode(["uint256", "uint256"], [len(out), 200]),
                    block="pending",
                )
                page = decode([f"{TASK}[]"], raw)[0]
            except (RpcError, DecodingError):
                if self._devnet.fork is None:
                    raise
                # a fork of a network whose scheduler contract cannot list its tasks: none
                # run here (every block would fail otherwise)
                return out
            first = len(out)
            out.extend(
                Task(first + i, to_checksum_address(t[0]), to_checksum_address(t[1]), *t[2:])
                for i, t in enumerate(page)
            )
            if len(page) < 200:
                return out

    def invalidate(self) -> None:
        """The tasks may have changed (a block touched the scheduler, a revert, a state edit)."""
        self._known = False

    def next_due(self) -> int | None:
        """The earliest due time of any active task (cached until the tasks change)."""
        if not self._known:
            tasks = self.tasks()
            self._contracts = {t.task_id: t.contract_address for t in tasks}
            dues = [t.next_run for t in tasks if t.active and t.next_run <= t.end_time]
            self._next_due = min(dues) if dues else None
            self._known = True
        return self._next_due

    def pending_runs(self, until: int) -> int:
        return sum(t.count_due(until) for t in self.tasks())

    def _due(self, until: int) -> Iterator[tuple[int, int]]:
        """(due time, task id) of every run due at or before ``until``, in order, lazily."""
        heap = [
            (t.next_run, t.task_id, t.frequency, min(until, t.end_time))
            for t in self.tasks()
            if t.count_due(until)
        ]
        heapq.heapify(heap)
        while heap:
            due, task_id, frequency, last = heapq.heappop(heap)
            yield due, task_id
            if due + frequency <= last:
                heapq.heappush(heap, (due + frequency, task_id, frequency, last))

    # --- moving the clock ----------------------------------------------------------------------
    def catch_up(self, timestamp: int, progress: Progress | None = None) -> None:
        """Before a block at ``timestamp`` is sealed: every run due earlier runs in a block at
        its due time; runs due at ``timestamp`` itself go into the pending block. When the
        pending block already holds transactions, earlier blocks cannot be inserted: the
        runs due by then go into it, late, in order."""
        first = self.next_due()
        if first is None or first > timestamp:
            return
        total = self.pending_runs(timestamp)
        if total > MAX_RUNS_PER_ADVANCE:
            raise DevnetError(
                f"moving the clock to {timestamp} would execute {total} scheduled runs, more "
                f"than the {MAX_RUNS_PER_ADVANCE} allowed at once; move it in smaller steps "
                "(e.g. several advance calls) or cancel tasks you do not need"
            )
        chain = self._devnet.chain
        pending_full = chain.has_pending_transactions()
        batch: list[int] = []
        batch_due: int | None = None
        done = 0
        for due, task_id in self._due(timestamp):
            if batch and due != batch_due and not pending_full:
                self._run_block(batch_due, batch)  # type: ignore[arg-type]
                done += len(batch)
                batch = []
                if progress is not None:
                    progress(done, total)
            batch.append(task_id)
            batch_due = due
        if batch:
            if batch_due is not None and batch_due < timestamp and not pending_full:
                self._run_block(batch_due, batch)
            else:
                if not pending_full:
                    chain.set_pending_timestamp(max(timestamp, self._devnet.now + 1))
                self._devnet._apply_system_calls([self._execute_data(t) for t in batch])
            done += len(batch)
            if progress is not None:
                progress(done, total)
        if not pending_full:
            # late runs may have used up the seconds before it: never seal behind the head
            chain.set_pending_timestamp(max(timestamp, self._devnet.now + 1))
        self.invalidate()  # runs went into the pending block: read the tasks again

    def _run_block(self, due: int, task_ids: list[int]) -> None:
        block_time = max(due, self._devnet.now + 1)
        self._devnet._mine_system_block(block_time, [self._execute_data(t) for t in task_ids])

    # --- reports -------------------------------------------------------------------------------
    def record(self, block: Any) -> None:
        """Read the runs a sealed block holds from its TaskExecuted logs (block listener)."""
        chain = self._devnet.chain
        touched = False
        receipts = chain.receipts(block) if block.header.bloom else ()
        for tx, receipt in zip(block.transactions, receipts, strict=False):
            for entry in receipt.logs:
                if entry.address != _SCHEDULER:
                    continue
                touched = True
                if not entry.topics or entry.topics[0] != _TASK_EXECUTED:
                    continue
                task_id = entry.topics[1]
                due, ok, revert = decode(["uint256", "bool", "bytes"], entry.data)
                run = ScheduledRun(
                    task_id=task_id,
                    contract_address=self._workflow_of(task_id),
                    due_time=due,
                    ok=ok,
                    error=None if ok else (decode_revert_reason(revert) or _raw_reason(revert)),
                    transaction_hash="0x" + tx.hash.hex(),
                    block_number=block.header.block_number,
                    block_time=block.header.timestamp,
                    path=None if ok else self._devnet.node.tracing.failure_path(tx.hash),
                )
                self._devnet.inference_log.append(run)
                if self._recording is not None:
                    self._recording.runs.append(run)
                    if not ok and self._raise_on_failure:
                        raise ScheduledRunFailed(run)
        if touched:
            self.invalidate()

    def _workflow_of(self, task_id: int) -> str:
        known = self._contracts.get(task_id)
        if known is not None:
            return known
        raw = self._devnet.call(
            WORKFLOW_SCHEDULER_ADDRESS, _GET_TASKS + encode(["uint256", "uint256"], [task_id, 1])
        )
        page = decode([f"{TASK}[]"], raw)[0]
        return to_checksum_address(page[0][1]) if page else "unknown"

    def recording(self, raise_on_failure: bool = False) -> _Recording:
        return _Recording(self, raise_on_failure)

    @staticmethod
    def _execute_data(task_id: int) -> bytes:
        return _EXECUTE + encode(["uint256"], [task_id])


class _Recording:
    def __init__(self, scheduler: Scheduler, raise_on_failure: bool) -> None:
        self.scheduler = scheduler
        self.report = RunReport()
        self.raise_on_failure = raise_on_failure

    def __enter__(self) -> RunReport:
        self._saved = (self.scheduler._recording, self.scheduler._raise_on_failure)
        self.scheduler._recording = self.report
        self.scheduler._raise_on_failure = self.raise_on_failure
        return self.report

    def __exit__(self, *exc: object) -> None:
        self.scheduler._recording, self.scheduler._raise_on_failure = self._saved


def _raw_reason(data: bytes) -> str:
    return (
        f"reverted without a reason (data 0x{data.hex()})" if data else "reverted without a reason"
    )


def check_time(now: int, timestamp: Any) -> int:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise DevnetError(f"timestamp must be an int of unix seconds, got {timestamp!r}")
    if timestamp < now:
        raise DevnetError(
            f"time never moves backwards: the chain is at {now}, asked for {timestamp}; "
            "use a snapshot and revert to go back"
        )
    return timestamp
