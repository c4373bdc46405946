"""Logs by filter, and the filters clients poll (``eth_newFilter`` and friends).

A filter remembers the last block it reported; its changes are read from the canonical
chain at poll time, so after a revert it never reports a block that no longer exists. The
filters' state is part of the devnet's snapshot (``Filters.state``/``restore``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import serialize
from .errors import server_error
from .params import LogFilter

if TYPE_CHECKING:
    from eth.abc import BlockAPI

    from ..chain import DevnetChain

MAX_LOG_RANGE = 100_000


def _matches(entry: Any, criteria: LogFilter) -> bool:
    if criteria.addresses and entry.address not in criteria.addresses:
        return False
    topics = entry.topics
    for position, wanted in enumerate(criteria.topics):
        if wanted is None:
            continue
        if position >= len(topics):
            return False
        if topics[position].to_bytes(32, "big") not in wanted:
            return False
    return True


def block_logs(
    chain: DevnetChain, block: BlockAPI, criteria: LogFilter
) -> Iterator[dict[str, Any]]:
    header = block.header
    if header.bloom == 0:
        return
    log_index = 0
    for index, (tx, receipt) in enumerate(
        zip(block.transactions, chain.receipts(block), strict=True)
    ):
        for entry in receipt.logs:
            if _matches(entry, criteria):
                place = serialize.LogPlace(
                    header.hash,
                    header.block_number,
                    header.timestamp,
                    tx.hash,
                    index,
                    log_index,
                )
                yield serialize.log(entry, place)
            log_index += 1


def range_logs(
    chain: DevnetChain, criteria: LogFilter, start: int, end: int
) -> list[dict[str, Any]]:
    if end - start >= MAX_LOG_RANGE:
        raise server_error(
            f"query exceeds the limit of {MAX_LOG_RANGE} blocks: ask for a smaller "
            "fromBlock..toBlock range"
        )
    out: list[dict[str, Any]] = []
    for number in range(start, end + 1):
        block = chain.block_by_number(number)
        if block is not None:
            out.extend(block_logs(chain, block, criteria))
    return out


@dataclass
class Filter:
    kind: str  # "block", "pending" or "log"
    cursor: int  # the last block number reported
    criteria: LogFilter | None = None
    queue: list[str] = field(default_factory=list)  # pending transaction hashes


class Filters:
    def __init__(self) -> None:
        self._filters: dict[str, Filter] = {}
        self._next = 1

    def install(self, kind: str, cursor: int, criteria: LogFilter | None = None) -> str:
        filter_id = hex(self._next)
        self._next += 1
        self._filters[filter_id] = Filter(kind, cursor, criteria)
        return filter_id

    def get(self, filter_id: Any) -> Filter:
        found = self._filters.get(filter_id) if isinstance(filter_id, str) else None
        if found is None:
            raise server_error("filter not found")
        return found

    def uninstall(self, filter_id: Any) -> bool:
        return isinstance(filter_id, str) and self._filters.pop(filter_id, None) is not None

    def on_transaction(self, transaction_hash: bytes) -> None:
        text = serialize.d(transaction_hash)
        for f in self._filters.values():
            if f.kind == "pending":
                f.queue.append(text)

    def state(self) -> tuple[dict[str, Filter], int]:
        return {k: replace(f, queue=list(f.queue)) for k, f in self._filters.items()}, self._next

    def restore(self, state: tuple[dict[str, Filter], int]) -> None:
        filters, self._next = state
        self._filters = {k: replace(f, queue=list(f.queue)) for k, f in filters.items()}

    def __len__(self) -> int:
        return len(self._filters)
