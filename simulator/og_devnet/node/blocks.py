"""Which block a call means: tags, numbers, hashes and EIP-1898 objects resolved against the
chain, with geth's answers for blocks that do not exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
        raise server_error(
            f"header not found: block {bid.number} is beyond the head block "
            f"{chain.head.block_number}"
        )
    return found


def state(chain: DevnetChain, bid: BlockId) -> tuple[StateAPI, Resolved]:
    """A throw-away state at ``bid``."""
    resolved = require(chain, bid)
    return chain.state_at(resolved.block.header, resolved.pending), resolved


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


def header_value(block: BlockAPI, name: str) -> Any:
    return getattr(block.header, name, None)
