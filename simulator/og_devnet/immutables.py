"""py-evm's transactions, receipts and logs shared, not rebuilt, when a block is copied.

py-evm copies a block three times while it seals it (pack, finalize, the tries) and rlp's
``Serializable.copy`` deep-copies every field it keeps: each transaction is rebuilt field by
field (megabytes of call data for a large inference input), and loses what was learnt
about it (its sender, its checked signature). These objects are immutable (rlp refuses to
set their fields), so a deep copy of one may be the object itself, as it is for a tuple of
bytes. Installed by :func:`install` (from ``og_devnet.chain``).
"""

from __future__ import annotations

from typing import Any

from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth.rlp.transactions import BaseTransaction
from eth.vm.forks.berlin.transactions import TypedTransaction

SHARED: tuple[type, ...] = (BaseTransaction, TypedTransaction, Receipt, Log)


def _itself(self: Any, *memo: Any) -> Any:
    return self


def install() -> None:
    """Deep copies of these classes' objects are the objects (idempotent)."""
    for cls in SHARED:
        setattr(cls, "__deepcopy__", _itself)  # noqa: B010 - a class attribute set for all


__all__ = ["SHARED", "install"]
