"""Fork mode: a devnet that starts from a remote network's state at a pinned block.

``Devnet(fork_url=URL, fork_block_number=N)`` (``og devnet --fork-url URL
--fork-block-number N``): accounts, code and storage are read from the remote as of block N
when first needed and kept (fork_state.py, fork_rpc.py; on disk: fork_cache.py); the chain
id is the remote's; block numbers and time go on from N. Everything written is local: the
remote is only ever read.

The fork point is a local block numbered N: the remote's time, gas limit, base fee and
prevrandao, no transactions, and the local state root (the dev accounts funded over the
remote's accounts, as anvil funds them). Its hash is the devnet's own, and blocks before it
are not served: the remote has them. The hub and scheduler are the remote's; where the remote
has no code at their addresses (a chain that is not OpenGradient), the devnet's are put there,
so inference and schedules work on a fork of any EVM chain.

``--state`` records the fork point (chain id, block number and hash) and the URL in the
journal's header: a restart forks the same block (from the same URL, or another node of the
same chain given with ``--fork-url``), see :func:`resume`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth.constants import ZERO_HASH32
from eth_utils import to_canonical_address

from . import fork_cache
from .fork_cache import DiskCache
from .fork_rpc import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    ForkError,
    Remote,
    RpcClient,
    check_url,
    data,
    quantity,
)
from .fork_state import ForkAccountDB, account_db_class

DEFAULT_BASE_FEE = 10**9  # a remote block without one (pre-London chains)


@dataclass(frozen=True)
class ForkBlock:
    """What the devnet takes from the remote's block N."""

    number: int
    hash: bytes
    timestamp: int
    gas_limit: int
    base_fee: int
    prevrandao: bytes
    coinbase: bytes
    extra_data: bytes


class Fork:
    """A remote node pinned at a block: opened (and checked) at construction."""

    def __init__(
        self,
        url: str,
        block_number: int | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        if block_number is not None and (
            isinstance(block_number, bool) or not isinstance(block_number, int) or block_number < 0
        ):
            raise ForkError(f"fork block number must be an int >= 0, got {block_number!r}")
        self.url = check_url(url)
        client = RpcClient(self.url, timeout=timeout, retries=retries)
        chain_id, head = client.batch(
            [("eth_chainId", []), ("eth_blockNumber", [])], "the chain id and head block"
        )
        self.chain_id = quantity(chain_id, "eth_chainId", client.shown)
        head_number = quantity(head, "eth_blockNumber", client.shown)
        if block_number is not None and block_number > head_number:
            raise ForkError(
                f"the fork URL {client.shown} has no block {block_number} yet: its latest is "
                f"block {head_number}; give a --fork-block-number at or below it"
            )
        number = head_number if block_number is None else block_number
        found = client.call("eth_getBlockByNumber", [hex(number), False], f"block {number}")
        if not isinstance(found, dict):
            raise ForkError(
                f"the fork URL {client.shown} does not have block {number} (it answered "
                "null): a pruned node may have dropped it; fork a more recent block or use an "
                "archive node"
            )
        self.block = _block(found, number, client.shown)
        # on disk only for a block the user pinned (a fork of "latest" is a new block each run)
        root = fork_cache.directory() if block_number is not None else None
        disk = None if root is None else DiskCache(root, self.chain_id, self.block.hash)
        self.remote = Remote(client, number, disk)

    @property
    def block_number(self) -> int:
        return self.block.number

    @property
    def shown_url(self) -> str:
        """The URL with anything that looks like a secret left out (for messages)."""
        return self.remote.url

    def account_db_class(self) -> type[ForkAccountDB]:
        return account_db_class(self.remote)

    def has_code(self, address: str) -> bool:
        return bool(self.remote.account(to_canonical_address(address)).code)

    def prefetch(self, addresses: list[bytes]) -> None:
        """Read these accounts in one round trip (the devnet's start needs them all)."""
        self.remote.accounts(addresses)

    def header_params(self, state_root: bytes) -> dict[str, Any]:
        """The fork point's header fields for py-evm's genesis header (then numbered N: the
        local chain starts there, its parent hash zero)."""
        block = self.block
        return {
            "timestamp": block.timestamp,
            "gas_limit": block.gas_limit,
            "base_fee_per_gas": block.base_fee,
            "mix_hash": block.prevrandao,
            "coinbase": block.coinbase,
            "extra_data": block.extra_data,
            "difficulty": 0,
            "state_root": state_root,
        }

    def record(self) -> dict[str, Any]:
        """What a ``--state`` journal keeps about the fork point (the URL apart: another node
        of the same chain serves the same block)."""
        return {
            "chain_id": self.chain_id,
            "block": self.block.number,
            "hash": "0x" + self.block.hash.hex(),
        }

    def describe(self) -> str:
        return f"{self.shown_url} at block {self.block.number} (chain id {self.chain_id})"

    def close(self) -> None:
        self.remote.client.close()
        if self.remote.disk is not None:
            self.remote.disk.close()


def _block(found: dict[str, Any], number: int, url: str) -> ForkBlock:
    def field(name: str, default: int | None = None) -> int:
        value = found.get(name)
        if value is None and default is not None:
            return default
        return quantity(value, f"block {number}'s {name}", url)

    def word(name: str) -> bytes:
        value = found.get(name)
        raw = data(value, f"block {number}'s {name}", url) if value is not None else b""
        return raw if len(raw) == 32 else ZERO_HASH32

    got = field("number")
    if got != number:
        raise ForkError(f"{url} answered block {got} when asked for block {number}")
    miner = found.get("miner")
    coinbase = data(miner, f"block {number}'s miner", url) if miner is not None else b""
    extra = found.get("extraData")
    extra_data = data(extra, f"block {number}'s extraData", url) if extra is not None else b""
    return ForkBlock(
        number=number,
        hash=word("hash"),
        timestamp=field("timestamp"),
        gas_limit=field("gasLimit"),
        base_fee=field("baseFeePerGas", DEFAULT_BASE_FEE),
        prevrandao=word("mixHash") if found.get("mixHash") else word("prevRandao"),
        coinbase=coinbase if len(coinbase) == 20 else b"\x00" * 20,
        extra_data=extra_data if len(extra_data) <= 32 else b"",
    )


# --- --state -------------------------------------------------------------------------------------
def recorded(state: str | Path | None) -> tuple[dict[str, Any] | None, str | None]:
    """The fork point and URL a ``--state`` journal's header recorded ((None, None) if the file
    does not exist yet, records no fork, or is not a journal: opening it says what is wrong)."""
    from .journal import unseal

    if not state:
        return None, None
    try:
        with open(state, "rb") as file:
            first = file.readline(1 << 20)
    except OSError:
        return None, None
    header = unseal(first) if first.endswith(b"\n") else None
    if not isinstance(header, dict) or not isinstance(header.get("fork"), dict):
        return None, None
    url = header.get("fork_url")
    return header["fork"], url if isinstance(url, str) else None


def resume(
    state: str | Path | None, url: str | None, block_number: int | None
) -> tuple[str | None, int | None]:
    """The fork to start: as given, completed from the journal a restart continues. With no
    ``--fork-url`` the journal's is used; with no ``--fork-block-number`` its block (a
    restart must fork the block the journal was written on, not the remote's new head).
    A different block or chain is refused when the journal's header is checked."""
    point, recorded_url = recorded(state)
    if point is None:
        return url, block_number
    if url is None:
        url = recorded_url
    if block_number is None and isinstance(point.get("block"), int):
        block_number = point["block"]
    return url, block_number


def startup_record(fork: Fork | None) -> dict[str, Any]:
    """The journal header's fork entries for a devnet (``fork`` None when not forked)."""
    if fork is None:
        return {"fork": None}
    return {"fork": fork.record(), "fork_url": fork.url}


__all__ = ["Fork", "ForkBlock", "ForkError", "recorded", "resume", "startup_record"]
