"""Dev methods (anvil/hardhat ``evm_*``, ``anvil_*``, ``hardhat_*``) and the devnet's own
``og_*`` controls: thin calls into the ``Devnet``."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import invalid_params
from .params import address, at, lenient_quantity

if TYPE_CHECKING:
    from ..devnet import Snapshot
    from .core import Node


class Dev:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.devnet = node.devnet
        self._snapshots: dict[str, Snapshot] = {}
        self._next_snapshot = 1

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "evm_snapshot": self.snapshot,
            "evm_revert": self.revert,
            "evm_mine": self.evm_mine,
            "anvil_mine": self.anvil_mine,
            "evm_increaseTime": self.increase_time,
            "evm_setNextBlockTimestamp": self.set_next_block_timestamp,
            "anvil_setBalance": self.set_balance,
            "hardhat_setBalance": self.set_balance,
            "og_addModel": self.add_model,
            "og_listModels": self.list_models,
            "og_setCandles": self.set_candles,
            "og_advanceTime": self.advance_time,
            "og_setResultsViaApi": self.set_results_via_api,
            "og_now": lambda p: hex(self.devnet.now),
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
        if isinstance(raw, dict):
            raw = raw.get("timestamp")
        timestamp = lenient_quantity(raw, "timestamp") if raw is not None else None
        self.devnet.mine_block([], timestamp)
        return "0x0"

    def anvil_mine(self, p: list[Any]) -> None:
        raw = at(p, 0, "blocks", required=False)
        blocks = lenient_quantity(raw, "blocks") if raw is not None else 1
        if not 0 < blocks <= 10_000:
            raise invalid_params(f"anvil_mine: blocks must be 1..10000, got {blocks}")
        self.devnet.mine(blocks)

    def increase_time(self, p: list[Any]) -> str:
        seconds = lenient_quantity(at(p, 0, "seconds"), "seconds")
        chain = self.devnet.chain
        chain.set_pending_timestamp(chain.pending_header.timestamp + seconds)
        return hex(seconds)

    def set_next_block_timestamp(self, p: list[Any]) -> None:
        t = lenient_quantity(at(p, 0, "timestamp"), "timestamp")
        if t <= self.devnet.now:
            raise invalid_params(
                f"timestamp {t} must be after the latest block's {self.devnet.now}"
            )
        self.devnet.chain.set_pending_timestamp(t)

    def set_balance(self, p: list[Any]) -> None:
        account = address(at(p, 0, "address"), "address")
        self.devnet.set_balance(
            "0x" + account.hex(), lenient_quantity(at(p, 1, "balance"), "balance")
        )

    # --- og_* controls -------------------------------------------------------------------------
    def add_model(self, p: list[Any]) -> str:
        data_b64 = at(p, 0, "model (base64)")
        cid = at(p, 1, "cid", required=False)
        try:
            data = base64.b64decode(data_b64, validate=True)
        except (ValueError, TypeError):
            raise invalid_params("og_addModel: the model must be base64") from None
        return self.devnet.models.add(data, cid)

    def list_models(self, p: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "cid": m.cid,
                "size": m.size,
                "inputs": m.describe_inputs(),
                "outputs": list(m.outputs),
            }
            for m in self.devnet.models.list()
        ]

    def set_candles(self, p: list[Any]) -> int:
        base, quote = at(p, 0, "base"), at(p, 1, "quote")
        duration, rows = at(p, 2, "candle duration"), at(p, 3, "rows")
        return self.devnet.prices.set_candles(
            base, quote, lenient_quantity(duration, "candle duration"), rows
        )

    def set_results_via_api(self, p: list[Any]) -> bool:
        flag = at(p, 0, "flag")
        if not isinstance(flag, bool):
            raise invalid_params("og_setResultsViaApi takes true or false")
        self.devnet.results_via_api = flag
        return flag

    def advance_time(self, p: list[Any]) -> dict[str, int]:
        seconds = lenient_quantity(at(p, 0, "seconds"), "seconds")
        runs = self.devnet.advance(seconds)
        return {"runs": runs, "timestamp": self.devnet.now, "block": self.devnet.block_number}
