"""The chain's in-memory database, with the transaction and receipt tries kept compressed
(and the last blocks' headers kept decoded).

py-evm keeps every block's transactions and receipts as trie nodes in one dict. An
``infer()`` adds about 3.3 KB of call data and a 5 KB receipt (its ModelInferenceEvent
echoes the request), mostly the zero bytes of ABI words: 8 of the 10 KB a block adds, read
again only by lookups of old transactions. Nodes of those tries (not state, not code, which
every call reads) are stored zlib-compressed when that halves them, as geth's freezer keeps
old bodies and receipts compressed: 8.3 KB become about 1.4 KB, for about 35 µs per block.

Trie nodes are stored under the hash of their bytes, so a node already stored is the same
node: ``persist_block`` writes the block's tries a second time, and that write is skipped.
"""

from __future__ import annotations

import zlib
from typing import Any

from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth.db.chain import ChainDB

PACK_AT = 1024  # smaller nodes are stored as they are
HEADERS_KEPT = 8


class Packed:
    """A stored value, compressed. Only :class:`CompactMemoryDB` holds these."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def plain(value: bytes | Packed) -> bytes:
    """A stored value's bytes."""
    return zlib.decompress(value.data) if type(value) is Packed else value  # type: ignore[return-value]


class CompactMemoryDB(MemoryDB):
    """py-evm's MemoryDB whose reads give packed values back as their bytes."""

    def __getitem__(self, key: bytes) -> bytes:
        return plain(self.kv_store[key])


class CompactChainDB(ChainDB):
    """py-evm's ChainDB, packing the large nodes of the tries it persists for blocks
    (transactions, receipts, withdrawals), and giving the headers of the blocks it persisted
    last back as they were (py-evm decodes a header's RLP at its first read: the new head's,
    read after every block, and the parent's, read by the next block's validation)."""

    def __init__(self, db: Any) -> None:
        super().__init__(db)
        self._headers: dict[bytes, Any] = {}

    def persist_block(self, block: Any, *args: Any, **kwargs: Any) -> Any:
        persisted = super().persist_block(block, *args, **kwargs)
        self._headers[block.hash] = block.header
        if len(self._headers) > HEADERS_KEPT:
            del self._headers[next(iter(self._headers))]
        return persisted

    def get_canonical_head(self) -> Any:
        return self.get_block_header_by_hash(self._get_canonical_head_hash(self.db))

    def get_block_header_by_hash(self, block_hash: Any) -> Any:
        header = self._headers.get(block_hash)
        if header is not None and block_hash in self.db:  # a hash names one header
            return header
        return super().get_block_header_by_hash(block_hash)

    @classmethod
    def _persist_trie_data_dict(cls, db: Any, trie_data_dict: dict[Any, bytes]) -> None:
        for key, value in trie_data_dict.items():
            if len(value) < PACK_AT:
                db[key] = value
            elif key not in db:  # stored under its hash: already there, it is this node
                packed = zlib.compress(value, 1)
                db[key] = Packed(packed) if 2 * len(packed) <= len(value) else value


def memory_database() -> AtomicDB:
    """What ``eth.db.get_db_backend()`` gives (an atomic in-memory database), compact."""
    return AtomicDB(CompactMemoryDB())
