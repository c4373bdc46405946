"""Which block a call means: tags, numbers, hashes and EIP-1898 objects resolved against the
chain, with geth's answers for blocks that do not exist."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eth.abc import BlockAPI, StateAPI

from .errors import invalid_params, server_error
from .params import BlockId

if TYPE_CHECKING:
    from ..chain import DevnetChain


@dataclass(frozen=True)
class Resolved:
    block: BlockAPI
    pending: bool


def find(chain: DevnetChain, bid: BlockId) -> Resolved | None:
    """The block ``bid`` names, or None when there is none."""
    if bid.hash is not None:
        found = chain.block_by_hash(bid.hash)
        return Resolved(found, False) if found is not None else None
    if bid.tag == "pending":
        return Resolved(chain.pending_block(), True)
    number = bid.number if bid.number is not None else chain.number_of(bid.tag or "latest")
    found = chain.block_by_number(number)
    return Resolved(found, False) if found is not None else None


def require(chain: DevnetChain, bid: BlockId) -> Resolved:
    """As :func:`find`, but a block that does not exist is an error (as geth says it)."""
    found = find(chain, bid)
    if found is None:
        if bid.hash is not None:
            raise server_error(f"header for hash not found: 0x{bid.hash.hex()}")
        if bid.number is not None and bid.number < chain.first_number:
            raise server_error(
                f"header not found: block {bid.number} is before block {chain.first_number}, "
                "where this devnet forked its remote (ask the remote for older blocks)"
            )
        raise server_error(
            f"header not found: block {bid.number} is beyond the head block "
            f"{chain.head.block_number}"
        )
    return found


def state(
    chain: DevnetChain, bid: BlockId, cache: StateCache | None = None
) -> tuple[StateAPI, Resolved]:
    """A state at ``bid`` for reading (or, inside ``StateCache.scratch``, for a simulation)."""
    resolved = require(chain, bid)
    if cache is not None:
        return cache.get(chain, resolved), resolved
    return chain.state_at(resolved.block.header, resolved.pending), resolved


class StateCache:
    """States reused while the chain stands still: py-evm builds a VM and re-reads every
    account through the trie for each new state, where one kept per (block, state root)
    answers the next read from its caches. Reads take a state as it is; a simulation runs in
    ``scratch``, which reverts whatever it changed, so a kept state never drifts."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._states: OrderedDict[tuple[bytes, bytes, bool], StateAPI] = OrderedDict()

    def get(self, chain: DevnetChain, resolved: Resolved) -> StateAPI:
        if resolved.pending and chain.keep_pending_vm:
            # the pending block's own state, which its transactions change: the chain
            # keeps it (a copy kept here under the header's hash could outlive it)
            return chain.state_at(chain.pending_header, pending=True)
        header = chain.pending_header if resolved.pending else resolved.block.header
        if header.hash == chain.head.hash:
            view = chain.latest_view()  # the pending VM's accounts, while they are latest's
            if view is not None:
                return view
        root = (
            header.state_root
            if resolved.pending or header.hash != chain.head.hash
            else chain.latest_state_root()
        )
        key = (header.hash, root, resolved.pending)
        found = self._states.get(key)
        if found is None:
            found = chain.state_at(header, resolved.pending)
            self._states[key] = found
            if len(self._states) > self._size:
                self._states.popitem(last=False)
        else:
            self._states.move_to_end(key)
        return found

    def clear(self) -> None:
        self._states.clear()

    @staticmethod
    @contextmanager
    def scratch(state: StateAPI) -> Iterator[StateAPI]:
        """Changes made to ``state`` inside are undone on the way out."""
        checkpoint = state.snapshot()
        try:
            yield state
        finally:
            state.revert(checkpoint)


def number_range(chain: DevnetChain, frm: BlockId, to: BlockId) -> tuple[int, int]:
    """A log range as block numbers, ``to`` clamped to the head."""

    def number(bid: BlockId) -> int:
        if bid.number is not None:
            return bid.number
        tag = bid.tag or "latest"
        return chain.head.block_number if tag == "pending" else chain.number_of(tag)

    start, end, head = number(frm), number(to), chain.head.block_number
    if start > end:
        raise invalid_params(
            f"invalid block range params: fromBlock {start} is after toBlock {end}"
        )
    if end > head:
        raise invalid_params(
            f"block range extends beyond current head block: toBlock {end}, head {head}"
        )
    return start, end
