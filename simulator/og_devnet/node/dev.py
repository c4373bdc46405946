"""Dev methods as anvil 1.7 and Hardhat 3 define them (``evm_*``, ``anvil_*``, ``hardhat_*``):
snapshots, mining and time, automine and interval mining, state edits, impersonation, the
pending pool, reset and node info. Time always moves through ``Devnet.seal``, so scheduled
workflows run when their time comes however the clock is moved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from . import serialize
from .errors import invalid_params, server_error
from .params import address, arity, at, boolean, data, hash32, lenient_quantity, tx_request

if TYPE_CHECKING:
    from ..devnet import Snapshot
    from .core import Node

MAX_MINE = 10_000


def _both(name: str, method: Callable[[list[Any]], Any]) -> dict[str, Callable[[list[Any]], Any]]:
    """anvil_X and hardhat_X: the same method under both prefixes."""
    return {f"anvil_{name}": method, f"hardhat_{name}": method}


class Dev:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.devnet = node.devnet
        self.chain = node.chain
        self._snapshots: dict[str, Snapshot] = {}
        self._next_snapshot = 1
        self._interval_ms = 0
        self._interval_stop: threading.Event | None = None

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "evm_snapshot": self.snapshot,
            "evm_revert": self.revert,
            "anvil_snapshot": self.snapshot,
            "anvil_revert": self.revert,
            "evm_mine": self.evm_mine,
            "anvil_mine": self.mine,
            "hardhat_mine": self.mine,
            "evm_increaseTime": self.increase_time,
            "anvil_increaseTime": self.increase_time,
            "evm_setNextBlockTimestamp": self.set_next_block_timestamp,
            "anvil_setNextBlockTimestamp": self.set_next_block_timestamp,
            "anvil_setBlockTimestampInterval": self.set_block_interval,
            "anvil_removeBlockTimestampInterval": self.remove_block_interval,
            "evm_setAutomine": self.set_automine,
            "anvil_setAutomine": self.set_automine,
            **_both("getAutomine", lambda p: self.node.automine),
            "evm_setIntervalMining": self.set_interval_mining,
            "anvil_setIntervalMining": self.set_interval_mining,
            "anvil_getIntervalMining": lambda p: self._interval_ms // 1000,
            "evm_setBlockGasLimit": self.set_block_gas_limit,
            "anvil_setBlockGasLimit": self.set_block_gas_limit,
            **_both("setBalance", self.set_balance),
            **_both("setCode", self.set_code),
            **_both("setNonce", self.set_nonce),
            **_both("setStorageAt", self.set_storage_at),
            **_both("impersonateAccount", self.impersonate),
            **_both("stopImpersonatingAccount", self.stop_impersonating),
            "eth_sendUnsignedTransaction": self.send_unsigned,
            "anvil_autoImpersonateAccount": self.auto_impersonate,
            **_both("setCoinbase", self.set_coinbase),
            **_both("setNextBlockBaseFeePerGas", self.set_next_base_fee),
            **_both("dropTransaction", self.drop_transaction),
            "anvil_dropAllTransactions": self.drop_all_transactions,
            **_both("reset", self.reset),
            **_both("setLoggingEnabled", lambda p: None),
            **_both("setMinGasPrice", self.set_min_gas_price),
            "anvil_setRpcUrl": self.set_rpc_url,
            "anvil_nodeInfo": self.node_info,
            **_both("metadata", self.metadata),
            "txpool_status": self.txpool_status,
            "txpool_content": self.txpool_content,
            "txpool_inspect": self.txpool_inspect,
        }

    # --- snapshots -----------------------------------------------------------------------------
    def snapshot(self, p: list[Any]) -> str:
        snapshot_id = hex(self._next_snapshot)
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = self.devnet.snapshot()
        return snapshot_id

    def revert(self, p: list[Any]) -> bool:
        key = hex(lenient_quantity(at(p, 0, "snapshot id"), "snapshot id"))
        snapshot = self._snapshots.get(key)
        if snapshot is None:
            return False
        self.devnet.revert(snapshot)
        # like anvil: a snapshot is used up by reverting to it, and so are later ones
        for k in [k for k in self._snapshots if int(k, 16) >= int(key, 16)]:
            del self._snapshots[k]
        return True

    # --- mining and time -----------------------------------------------------------------------
    def evm_mine(self, p: list[Any]) -> str:
        raw = at(p, 0, "timestamp", required=False)
        blocks = 1
        if isinstance(raw, dict):
            blocks = lenient_quantity(raw.get("blocks", 1), "blocks")
            raw = raw.get("timestamp")
        timestamp = lenient_quantity(raw, "timestamp") if raw is not None else None
        for i in range(self._count(blocks)):
            self.devnet.seal(timestamp if i == 0 else None)
        return "0x0"

    def mine(self, p: list[Any]) -> None:
        """``blocks`` blocks, each ``interval`` seconds after the last (anvil: the interval
        is added to the clock before each block). A next block time already set
        (``evm_setNextBlockTimestamp``, ``evm_increaseTime``) is the first block's, as in
        anvil and Hardhat: Hardhat's ``time.increase`` is that followed by
        ``hardhat_mine(1, 1)``."""
        raw_blocks = at(p, 0, "blocks", required=False)
        raw_interval = at(p, 1, "interval", required=False)
        blocks = self._count(
            lenient_quantity(raw_blocks, "blocks") if raw_blocks is not None else 1
        )
        interval = lenient_quantity(raw_interval, "interval") if raw_interval is not None else None
        if not interval:
            self.devnet.mine(blocks)
            return
        pending = self.chain.pending_header.timestamp
        self.devnet.seal(pending if self._time_was_set() else self.devnet.now + interval)
        self.devnet.mine(blocks - 1, interval)

    def _time_was_set(self) -> bool:
        """Whether the next block's time was moved past the usual step after the head."""
        head, pending = self.chain.head.timestamp, self.chain.pending_header.timestamp
        return pending > head + self.chain.settings.interval

    @staticmethod
    def _count(blocks: int) -> int:
        if not 0 < blocks <= MAX_MINE:
            raise invalid_params(f"blocks must be 1..{MAX_MINE}, got {blocks} (mine in steps)")
        return blocks

    def increase_time(self, p: list[Any]) -> int:
        """The next block comes ``seconds`` after the latest (as anvil and Hardhat: an
        ``evm_increaseTime(60)`` then ``evm_mine`` gives a block 60 s after the last)."""
        seconds = lenient_quantity(at(p, 0, "seconds"), "seconds")
        head, pending = self.chain.head.timestamp, self.chain.pending_header.timestamp
        base = pending if self._time_was_set() else head
        self.chain.set_pending_timestamp(max(base + seconds, head + 1))
        return self.chain.pending_header.timestamp - head

    def set_next_block_timestamp(self, p: list[Any]) -> None:
        t = lenient_quantity(at(p, 0, "timestamp"), "timestamp")
        if t <= self.devnet.now:
            raise invalid_params(
                f"timestamp {t} must be after the latest block's {self.devnet.now}"
            )
        if self.chain.has_pending_transactions():
            raise server_error(
                "the pending block already holds transactions; mine it first (evm_mine)"
            )
        self.chain.set_pending_timestamp(t)

    def set_block_interval(self, p: list[Any]) -> bool:
        seconds = lenient_quantity(at(p, 0, "seconds"), "seconds")
        if seconds < 1:
            raise invalid_params("the block timestamp interval must be at least 1 second")
        self.chain.settings.interval = seconds
        if not self.chain.has_pending_transactions():
            self.chain.set_pending_timestamp(self.chain.head.timestamp + seconds)
        return True

    def remove_block_interval(self, p: list[Any]) -> bool:
        self.chain.settings.interval = 1
        return True

    def set_automine(self, p: list[Any]) -> None:
        enabled = boolean(at(p, 0, "enabled"), "enabled")
        self.node.automine = enabled
        if enabled and self.chain.has_pending_transactions():
            self.devnet.seal()

    def set_interval_mining(self, p: list[Any]) -> None:
        """Mine a block every ``interval`` (anvil: seconds, Hardhat: milliseconds; values of
        1000 and more are taken as milliseconds) of wall time, each a second of chain time
        after the last, in a background thread; 0 stops it."""
        raw = at(p, 0, "interval")
        value = lenient_quantity(raw[0] if isinstance(raw, list) and raw else raw, "interval")
        milliseconds = value if value >= 1000 else value * 1000
        if self._interval_stop is not None:
            self._interval_stop.set()
            self._interval_stop = None
        self._interval_ms = milliseconds
        if milliseconds:
            stop = threading.Event()
            self._interval_stop = stop
            threading.Thread(
                target=self._interval_loop, args=(stop, milliseconds / 1000), daemon=True
            ).start()

    def _interval_loop(self, stop: threading.Event, seconds: float) -> None:
        while not stop.wait(seconds):
            try:
                self.node.request("evm_mine", [])
            except Exception:  # noqa: BLE001 - a failed tick must not stop the clock
                continue

    def set_block_gas_limit(self, p: list[Any]) -> bool:
        limit = lenient_quantity(at(p, 0, "gas limit"), "gas limit")
        if limit < 21_000:
            raise invalid_params(f"gas limit {limit} is below a transfer's 21000")
        self.chain.set_pending_header(gas_limit=limit)
        return True

    def set_next_base_fee(self, p: list[Any]) -> None:
        fee = lenient_quantity(at(p, 0, "base fee"), "base fee")
        if self.chain.has_pending_transactions():
            raise server_error("the pending block already holds transactions; mine it first")
        self.chain.set_pending_header(base_fee_per_gas=fee)

    def set_coinbase(self, p: list[Any]) -> None:
        self.chain.coinbase = address(at(p, 0, "address"), "address")
        self.chain.set_pending_header(coinbase=self.chain.coinbase)

    # --- state ---------------------------------------------------------------------------------
    def set_balance(self, p: list[Any]) -> None:
        account = address(at(p, 0, "address"), "address")
        balance = lenient_quantity(at(p, 1, "balance"), "balance")
        if balance >= 2**256:
            raise invalid_params("balance must be below 2**256")
        with self.chain.edit_state() as state:
            state.set_balance(account, balance)

    def set_code(self, p: list[Any]) -> None:
        account = address(at(p, 0, "address"), "address")
        code = data(at(p, 1, "code"), "code")
        with self.chain.edit_state() as state:
            state.set_code(account, code)

    def set_nonce(self, p: list[Any]) -> None:
        account = address(at(p, 0, "address"), "address")
        nonce = lenient_quantity(at(p, 1, "nonce"), "nonce")
        with self.chain.edit_state() as state:
            state.set_nonce(account, nonce)

    def set_storage_at(self, p: list[Any]) -> bool:
        account = address(at(p, 0, "address"), "address")
        slot = lenient_quantity(at(p, 1, "slot"), "slot")
        value = at(p, 2, "value")
        word = data(value, "value") if isinstance(value, str) else b""
        if len(word) > 32:
            raise invalid_params("value must be at most 32 bytes")
        with self.chain.edit_state() as state:
            state.set_storage(account, slot, int.from_bytes(word, "big"))
        return True

    # --- impersonation -------------------------------------------------------------------------
    def impersonate(self, p: list[Any]) -> None:
        self.node.impersonated.add(address(at(p, 0, "address"), "address"))

    def stop_impersonating(self, p: list[Any]) -> None:
        self.node.impersonated.discard(address(at(p, 0, "address"), "address"))

    def auto_impersonate(self, p: list[Any]) -> None:
        self.node.auto_impersonate = boolean(at(p, 0, "enabled"), "enabled")

    def send_unsigned(self, p: list[Any]) -> str:
        """anvil's ``eth_sendUnsignedTransaction`` (viem's ``sendUnsignedTransaction``): run
        as ``from`` without its signature, whether or not it is impersonated."""
        arity("eth_sendUnsignedTransaction", p, 1)
        request = tx_request(at(p, 0, "transaction"))
        if request.sender is None:
            raise invalid_params(
                'eth_sendUnsignedTransaction needs "from": the account the transaction runs as'
            )
        return serialize.d(self.node.execution.send_impersonated(request))

    # --- the pending pool ----------------------------------------------------------------------
    def drop_transaction(self, p: list[Any]) -> str | None:
        target = hash32(at(p, 0, "transaction hash"), "transaction hash")
        dropped = self.chain.drop_pending(lambda t: t.hash != target, self.node.senders.get)
        return serialize.d(target) if dropped else None

    def drop_all_transactions(self, p: list[Any]) -> None:
        self.chain.drop_pending(lambda t: False)

    def _pending(self) -> list[Any]:
        return list(self.chain.pending_block().transactions)

    def txpool_status(self, p: list[Any]) -> dict[str, str]:
        return {"pending": serialize.q(len(self._pending())), "queued": "0x0"}

    def txpool_content(self, p: list[Any]) -> dict[str, Any]:
        pending: dict[str, dict[str, Any]] = {}
        for tx in self._pending():
            sender = self.node.sender_of(tx)
            pending.setdefault(serialize.addr(sender), {})[str(tx.nonce)] = serialize.transaction(
                tx, None, None, sender=sender
            )
        return {"pending": pending, "queued": {}}

    def txpool_inspect(self, p: list[Any]) -> dict[str, Any]:
        pending: dict[str, dict[str, str]] = {}
        for tx in self._pending():
            to = serialize.addr(tx.to) if tx.to else "contract creation"
            price = tx.gas_price if tx.type_id in (None, 0, 1) else tx.max_fee_per_gas
            pending.setdefault(serialize.addr(self.node.sender_of(tx)), {})[str(tx.nonce)] = (
                f"{to}: {tx.value} wei + {tx.gas} gas × {price} wei"
            )
        return {"pending": pending, "queued": {}}

    # --- the node ------------------------------------------------------------------------------
    def reset(self, p: list[Any]) -> None:
        """Back to genesis, keeping the node's models and prices. A ``forking`` object that
        names no URL and no block (viem's ``reset()`` sends ``{"forking": {"blockNumber":
        null}}``) asks for the chain's start again, which is genesis here."""
        options = at(p, 0, "options", required=False)
        forking = options.get("forking") if isinstance(options, dict) else None
        if isinstance(forking, dict):
            forking = {k: v for k, v in forking.items() if v is not None}
        if forking:
            raise invalid_params(
                "reset with forking is not supported by og devnet: start it with the fork you "
                "want instead (og devnet --fork-url URL --fork-block-number N)"
            )
        keep_models, keep_prices = self.devnet.models.state(), self.devnet.prices.state()
        self.devnet.revert(self.devnet.genesis)
        self.devnet.models.restore(keep_models)
        self.devnet.prices.restore(keep_prices)
        self._snapshots.clear()
        self.node.impersonated.clear()
        self.node.automine = True
        self.chain.settings.interval = 1

    def set_min_gas_price(self, p: list[Any]) -> None:
        raise invalid_params(
            "setMinGasPrice is not supported while EIP-1559 is active (as anvil); use "
            "setNextBlockBaseFeePerGas"
        )

    def set_rpc_url(self, p: list[Any]) -> None:
        if self.chain.fork is None:
            raise invalid_params(
                "og devnet is not forking a remote node; there is no RPC URL to set"
            )
        raise invalid_params(
            "the fork's URL cannot change while it runs: restart og devnet with --fork-url "
            "(a --state journal keeps the fork point)"
        )

    def node_info(self, p: list[Any]) -> dict[str, Any]:
        head, fork = self.chain.head, self.chain.fork
        return {
            "currentBlockNumber": head.block_number,
            "currentBlockTimestamp": head.timestamp,
            "currentBlockHash": serialize.d(head.hash),
            "hardFork": "prague",
            "transactionOrder": "fifo",
            "environment": {
                "baseFee": str(self.chain.next_base_fee()),
                "chainId": self.chain.chain_id,
                "gasLimit": str(self.chain.pending_header.gas_limit),
                "gasPrice": str(self.chain.next_base_fee() + 10**9),
            },
            "forkConfig": {
                "forkUrl": fork.shown_url if fork else None,
                "forkBlockNumber": fork.block_number if fork else None,
                "forkRetryBackoff": None,
            },
            "network": "og-devnet",
        }

    def metadata(self, p: list[Any]) -> dict[str, Any]:
        head = self.chain.head
        return {
            "clientVersion": self.node.client_version,
            "chainId": self.chain.chain_id,
            "instanceId": serialize.d(keccak(b"og-devnet" + self.devnet.genesis.chain.head_hash)),
            "latestBlockNumber": head.block_number,
            "latestBlockHash": serialize.d(head.hash),
            "snapshots": len(self._snapshots),
        }
