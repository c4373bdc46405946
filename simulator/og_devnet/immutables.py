"""py-evm's transactions, receipts and logs shared, not rebuilt, when a block is copied;
Prague headers and blocks copied in one step.

py-evm copies a block three times while it seals it (pack, finalize, the tries) and rlp's
``Serializable.copy`` deep-copies every field it keeps: each transaction is rebuilt field by
field (megabytes of call data for a large inference input), and loses what was learnt
about it (its sender, its checked signature). These objects are immutable (rlp refuses to
set their fields), so a deep copy of one may be the object itself, as it is for a tuple of
bytes.

It also copies the block's header four times with a field or two changed, and rlp's copy
deep-copies the other 20 fields, merges keyword dicts and validates them again: 28 µs for a
header, 15 µs for a block, about 4% of an ``infer()``. A Prague header's fields are ints and
bytes, a Prague block's a header and tuples of immutable objects: the copy keeps them as
they are and sets the changed ones as ``Serializable.__init__`` would (and a block's bloom
filter and requests, as its ``__init__`` does). A test compares both ways over generated
headers and changes. Installed by :func:`install` (from ``og_devnet.chain``).
"""

from __future__ import annotations

from typing import Any

from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth.rlp.transactions import BaseTransaction
from eth.vm.forks.berlin.transactions import TypedTransaction
from eth.vm.forks.prague.blocks import PragueBlock, PragueBlockHeader
from eth_bloom import BloomFilter
from rlp import Serializable
from rlp.sedes.serializable import make_immutable

SHARED: tuple[type, ...] = (BaseTransaction, TypedTransaction, Receipt, Log)


def _itself(self: Any, *memo: Any) -> Any:
    return self


def _fields(cls: Any) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    meta = cls._meta
    return frozenset(meta.field_names), tuple(zip(meta.field_names, meta.field_attrs, strict=True))


_HEADER_NAMES, _HEADER_ATTRS = _fields(PragueBlockHeader)
_BLOCK_NAMES, _BLOCK_ATTRS = _fields(PragueBlock)


def _copied(self: Any, attrs: tuple[tuple[str, str], ...], changes: dict[str, Any]) -> Any:
    new = object.__new__(type(self))
    kept = self.__dict__
    new.__dict__.update(
        {
            attr: make_immutable(changes[name]) if name in changes else kept[attr]
            for name, attr in attrs
        }
    )
    return new


def copy_header(self: Any, *args: Any, **changes: Any) -> Any:
    """``Serializable.copy`` of a Prague header: anything but changed fields by keyword (a
    ``timestamp`` of None asks the header's own default) goes to rlp's."""
    if (
        args
        or type(self) is not PragueBlockHeader
        or not _HEADER_NAMES.issuperset(changes)
        or ("timestamp" in changes and changes["timestamp"] is None)
    ):
        return Serializable.copy(self, *args, **changes)
    return _copied(self, _HEADER_ATTRS, changes)


def copy_block(self: Any, *args: Any, **changes: Any) -> Any:
    """``Serializable.copy`` of a Prague block (its header shared unless changed, as its
    transactions are): anything but changed fields by keyword goes to rlp's."""
    if args or type(self) is not PragueBlock or not _BLOCK_NAMES.issuperset(changes):
        return Serializable.copy(self, *args, **changes)
    new = _copied(self, _BLOCK_ATTRS, changes)
    new.bloom_filter = BloomFilter(new.header.bloom)
    new.block_requests = []
    return new


def install() -> None:
    """Deep copies of these classes' objects are the objects, and Prague headers and blocks
    are copied in one step (idempotent)."""
    for cls in SHARED:
        setattr(cls, "__deepcopy__", _itself)  # noqa: B010 - a class attribute set for all
    PragueBlockHeader.copy = copy_header  # type: ignore[method-assign]
    PragueBlock.copy = copy_block  # type: ignore[method-assign]


__all__ = ["SHARED", "copy_block", "copy_header", "install"]
