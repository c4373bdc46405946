"""The chain's in-memory database, with the blocks' history kept compressed (and the last
blocks' headers kept decoded).

py-evm keeps every block's transactions, receipts and header in one dict. An ``infer()``
adds about 3.3 KB of call data and a 5 KB receipt, mostly the zero bytes of ABI words: 8 of
the 9 KB a block adds, read again only by lookups of old transactions. Nodes of those tries
(not state, not code, which every call reads) are stored zlib-compressed, as geth's freezer
keeps old bodies and receipts compressed, and so are the headers once persisted.

Blocks of a devnet look alike (the same calls to the same contracts, headers that differ in
a few fields), so each value is compressed with zlib's preset dictionary: the value at the
same place in one block every ``DICTIONARY_BLOCKS`` (for an infer: its transaction, its
receipt, its header), kept as bytes by every value packed with it. A receipt's
ModelInferenceEvent echoes the request its transaction carries, so a block's later nodes
also have the block's first packed node (its transaction) after the dictionary. A packed
value holds what it needs (bytes, or that node itself, never a key), and the node it names
has none of its own: reading a value unpacks at most two. An infer's 8.9 KB of history
becomes about 0.9 KB, for about 45 µs per block (zlib sets up each dictionary).

Trie nodes are stored under the hash of their bytes, so a node already stored is the same
node: ``persist_block`` writes the block's tries a second time, and that write is skipped.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import rlp
from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth.db.chain import ChainDB

PACK_AT = 1024  # smaller trie nodes are stored as they are
HEADERS_KEPT = 8
DICTIONARY_BLOCKS = 256  # a block's bytes are the dictionary of this many blocks
DICTIONARY_BYTES = 32 * 1024  # zlib's window: a dictionary's bytes before these go unused
DICTIONARY_PLACES = 4  # values of a block kept as a dictionary (an infer packs two)


class Packed:
    """A stored value, compressed with ``dictionary`` and then the bytes of ``near`` (a
    value packed with no ``near`` itself) as zlib's preset dictionary. Only
    :class:`CompactMemoryDB` holds these."""

    __slots__ = ("data", "dictionary", "near")

    def __init__(self, data: bytes, dictionary: bytes, near: Packed | None) -> None:
        self.data = data
        self.dictionary = dictionary
        self.near = near


def plain(value: bytes | Packed) -> bytes:
    """A stored value's bytes."""
    if type(value) is not Packed:
        return value  # type: ignore[return-value]
    preset = value.dictionary if value.near is None else value.dictionary + plain(value.near)
    if not preset:
        return zlib.decompress(value.data)
    inflate = zlib.decompressobj(zdict=preset)
    return inflate.decompress(value.data) + inflate.flush()


def pack(
    value: bytes, dictionary: bytes = b"", near: tuple[Packed, bytes] | None = None
) -> bytes | Packed:
    """``value`` compressed with ``dictionary`` and ``near`` (a packed value with no near of
    its own, and its bytes), when that takes at least a quarter off; else ``value``."""
    preset = dictionary if near is None else dictionary + near[1]
    deflate = zlib.compressobj(1, zdict=preset) if preset else zlib.compressobj(1)
    data = deflate.compress(value) + deflate.flush()
    if 4 * len(data) > 3 * len(value):
        return value
    return Packed(data, dictionary, None if near is None else near[0])


# py-evm's lookups by a block's or a transaction's hash spell the hash as the repr of its
# bytes (b"block-hash-to-score:b'\\x9a...'"): about 120 bytes for a 32-byte hash, two a block.
_SPELLED = (b"block-hash-to-score:", b"transaction-hash-to-block:", b"withdrawal-hash-to-block:")


def compact_key(key: bytes) -> bytes:
    """A key as the database holds it: a lookup by hash as two bytes (0, which lookup) and
    the hash; any other key as it is. ``spelled_key`` gives py-evm's key back."""
    if len(key) < 64:  # a hash, or any other key py-evm makes: not spelled out
        return key
    for tag, prefix in enumerate(_SPELLED):
        if key.startswith(prefix):
            spelled = key[len(prefix) :]
            try:
                raw = codecs.escape_decode(spelled[2:-1])[0]
            except ValueError:  # a broken escape: not a repr
                return key
            # kept as it is unless its spelling is exactly the repr of 32 bytes
            if len(raw) == 32 and repr(raw).encode() == spelled:
                return bytes((0, tag)) + raw
            return key
    return key


def spelled_key(key: bytes) -> bytes:
    """A key as py-evm makes it (what a saved state holds): the inverse of ``compact_key``."""
    if len(key) == 34 and key[0] == 0 and key[1] < len(_SPELLED):
        return _SPELLED[key[1]] + repr(key[2:]).encode()
    return key


class CompactMemoryDB(MemoryDB):
    """py-evm's MemoryDB whose reads give packed values back as their bytes, and which
    holds py-evm's lookups by hash under compact keys."""

    def __getitem__(self, key: bytes) -> bytes:
        return plain(self.kv_store[compact_key(key)])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.kv_store[compact_key(key)] = value

    def _exists(self, key: bytes) -> bool:
        return compact_key(key) in self.kv_store

    def __delitem__(self, key: bytes) -> None:
        del self.kv_store[compact_key(key)]

    def __iter__(self) -> Iterator[bytes]:
        return (spelled_key(key) for key in self.kv_store)


class CompactChainDB(ChainDB):
    """py-evm's ChainDB, packing the large nodes of the tries it persists for blocks
    (transactions, receipts, withdrawals), and giving the headers of the blocks it persisted
    last back as they were (py-evm decodes a header's RLP at its first read: the new head's,
    read after every block, and the parent's, read by the next block's validation)."""

    def __init__(self, db: Any) -> None:
        super().__init__(db)
        self._headers: dict[bytes, Any] = {}
        # one block's packed trie values (in the order packed) and header: what the values
        # packed at the same place in the blocks after it are compressed with
        self._dictionary: tuple[bytes, ...] = ()
        self._dictionary_header = b""
        self._dictionary_age = 0  # blocks packed with it
        # this block's first packed node and its bytes, how many it packed, and the bytes
        # of its first DICTIONARY_PLACES (the next dictionary, if this block makes it)
        self._near: tuple[Packed, bytes] | None = None
        self._count = 0
        self._packed: list[bytes] = []

    def persist_block(self, block: Any, *args: Any, **kwargs: Any) -> Any:
        persisted = super().persist_block(block, *args, **kwargs)
        header = block.header
        encoded = rlp.encode(header)
        # py-evm stored it plain; the compact database holds packed values as they are
        self.db[block.hash] = pack(encoded, self._dictionary_header)  # type: ignore[assignment]
        self._next_block(encoded)
        self._headers[block.hash] = header
        if len(self._headers) > HEADERS_KEPT:
            del self._headers[next(iter(self._headers))]
        return persisted

    def _next_block(self, header: bytes) -> None:
        """The block is stored: it makes the dictionary if there is none, if the last has
        served its blocks, or if the last has no trie nodes and this block has."""
        self._dictionary_age += 1
        if (
            not self._dictionary_header
            or self._dictionary_age > DICTIONARY_BLOCKS
            or (self._packed and not self._dictionary)
        ):
            self._dictionary = tuple(value[-DICTIONARY_BYTES:] for value in self._packed)
            self._dictionary_header = header
            self._dictionary_age = 1
        self._near = None
        self._count = 0
        self._packed = []

    def get_canonical_head(self) -> Any:
        return self.get_block_header_by_hash(self._get_canonical_head_hash(self.db))

    def get_block_header_by_hash(self, block_hash: Any) -> Any:
        header = self._headers.get(block_hash)
        if header is not None and block_hash in self.db:  # a hash names one header
            return header
        return super().get_block_header_by_hash(block_hash)

    def persist_trie_data_dict(self, trie_data_dict: dict[Any, bytes]) -> None:
        """The tries of the block being built (py-evm's VM persists its transactions, then
        its receipts): each packed with the dictionary's value at its place in the block (the
        last one past its end), then the block's first packed node."""
        with self.db.atomic_batch() as db:
            _store_nodes(db, trie_data_dict, self._pack_in_block)

    @classmethod
    def _persist_trie_data_dict(cls, db: Any, trie_data_dict: dict[Any, bytes]) -> None:
        """persist_block's own write of the block's tries (already stored by the VM), or a
        block py-evm built some other way: packed without a dictionary."""
        _store_nodes(db, trie_data_dict, pack)

    def _pack_in_block(self, value: bytes) -> bytes | Packed:
        parts = self._dictionary
        place = min(self._count, len(parts) - 1)
        stored = pack(value, parts[place] if parts else b"", self._near)
        self._count += 1
        if len(self._packed) < DICTIONARY_PLACES:
            self._packed.append(value)
        if self._near is None and type(stored) is Packed:
            self._near = (stored, value)
        return stored


def _store_nodes(
    db: Any, trie_data_dict: dict[Any, bytes], packer: Callable[[bytes], bytes | Packed]
) -> None:
    """Trie nodes stored: the small ones as they are, a large one through ``packer`` unless
    already there (stored under its hash, a node already there is this node)."""
    for key, value in trie_data_dict.items():
        if len(value) < PACK_AT:
            db[key] = value
        elif key not in db:
            db[key] = packer(value)


def memory_database() -> AtomicDB:
    """What ``eth.db.get_db_backend()`` gives (an atomic in-memory database), compact."""
    return AtomicDB(CompactMemoryDB())
