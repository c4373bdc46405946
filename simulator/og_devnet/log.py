"""The inference log: every precompile execution, for assertions and the node API."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from og_alpha.types import ModelOutput
from og_alpha.wire import model_output_from_abi


@dataclass(frozen=True, slots=True)  # slots: a devnet keeps up to 10,000 of them
class InferenceRecord:
    """One execution of the inference or price-feed precompile.

    ``transaction_hash`` is None for a simulation (``eth_call`` / ``eth_estimateGas``).
    ``reverted`` tells whether the precompile itself refused the request (``error`` says why).
    """

    inference_id: str
    precompile: str  # "inference" | "price_feed"
    model_cid: str
    mode: int
    inputs: dict[str, Any]
    output_abi: tuple[Any, ...] | None  # the wire tuple; decoded on demand by ``output``
    error: str | None
    simulation: bool
    transaction_hash: str | None
    block_number: int
    block_time: int

    @property
    def output(self) -> ModelOutput | None:
        """The output as the SDK decodes it (None when the call reverted)."""
        return None if self.output_abi is None else model_output_from_abi(self.output_abi)

    @property
    def reverted(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class ScheduledRun:
    """One scheduled run as it happened: which task, due when, in which block, and why it
    failed when it did (the workflow's revert reason)."""

    task_id: int
    contract_address: str
    due_time: int
    ok: bool
    error: str | None
    transaction_hash: str
    block_number: int
    block_time: int
    # where it failed, frame by frame: "WorkflowScheduler → contract 0x… → PriceFeedPrecompile
    # (0x…F5): unknown pair DOGE/EUR"
    path: str | None = None


Record = InferenceRecord | ScheduledRun


class InferenceLog:
    """A bounded, ordered list of what ran (oldest dropped first): every precompile
    execution (:class:`InferenceRecord`) and every scheduled run (:class:`ScheduledRun`)."""

    def __init__(self, max_records: int = 10_000) -> None:
        self._records: deque[Record] = deque(maxlen=max_records)

    def append(self, record: Record) -> None:
        self._records.append(record)

    def __iter__(self) -> Iterator[Record]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> Record:
        return list(self._records)[index]

    def clear(self) -> None:
        self._records.clear()

    def transactions(self) -> list[InferenceRecord]:
        """Records of mined transactions only (no simulations)."""
        return [r for r in self._records if isinstance(r, InferenceRecord) and not r.simulation]

    def for_model(self, cid: str, *, include_simulations: bool = False) -> list[InferenceRecord]:
        return [
            r
            for r in self._records
            if isinstance(r, InferenceRecord)
            and r.model_cid == cid
            and (include_simulations or not r.simulation)
        ]

    def scheduled_runs(self, *, failed_only: bool = False) -> list[ScheduledRun]:
        """Every scheduled run, succeeded or failed (with the workflow's reason)."""
        return [
            r for r in self._records if isinstance(r, ScheduledRun) and not (failed_only and r.ok)
        ]

    def state(self) -> list[Record]:
        return list(self._records)

    def restore(self, state: list[Record]) -> None:
        self._records = deque(state, maxlen=self._records.maxlen)


class ResultStore:
    """Results by inference id, as the node API serves them; bounded, oldest dropped first."""

    def __init__(self, max_results: int = 100_000) -> None:
        self._results: OrderedDict[str, tuple[int, tuple[Any, ...]]] = OrderedDict()
        self._max = max_results

    def put(self, inference_id: str, mode: int, output: tuple[Any, ...]) -> None:
        self._results[inference_id] = (mode, output)
        self._results.move_to_end(inference_id)
        while len(self._results) > self._max:
            self._results.popitem(last=False)

    def get(self, inference_id: str) -> tuple[int, tuple[Any, ...]] | None:
        return self._results.get(inference_id)

    def state(self) -> OrderedDict[str, tuple[int, tuple[Any, ...]]]:
        return OrderedDict(self._results)

    def restore(self, state: OrderedDict[str, tuple[int, tuple[Any, ...]]]) -> None:
        self._results = OrderedDict(state)
