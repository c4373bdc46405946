"""Trie reads that py-evm repeats, answered once: a process-wide, bounded, content-addressed
cache under py-evm's account and storage tries.

py-evm builds a fresh ``HexaryTrie`` for each state and each contract's storage, and every
read walks it from the root: decode each node's RLP, convert the key to nibbles. A devnet
reads the same accounts and slots over and over (an infer reads its sender, the hub and the
precompiles in the estimate, the pool checks, the transaction and the receipt), and a
scheduled run writes into a storage trie whose upper nodes it decoded the block before.

The caches are keyed by content, so they can never answer wrongly, whatever chain, state
or database asks: a node hash names one node, and a trie root names one mapping of keys to
values. A set (or a block's sets, made at once) also links its new root to the root it was
made from and the keys it changed: a block changes a few accounts, and a read at the new
root of an account it left alone is answered by the value kept at an earlier root. They are
bounded (oldest out first) and shared by every devnet in the process, as the C keccak is
(``og_devnet.keccak``). Installed by :func:`install` when ``og_devnet.chain`` is imported:
py-evm's ``eth.db.account`` and ``eth.db.storage`` build their tries from the class
installed there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import eth.db.account
import eth.db.chain
import eth.db.storage
import eth.vm.base
from eth.db.trie import make_trie_root_and_nodes
from eth_utils import keccak
from rlp.codec import encode_raw
from trie import HexaryTrie
from trie.constants import BLANK_NODE, BLANK_NODE_HASH
from trie.utils.nodes import is_blank_node

# Bounds: a block adds 5 to 15 nodes, values and links, and its reads want the newest. At
# 1,024 each, an infer misses 2.01 nodes (2.00 at 4,096) and a scheduled run 5.2 (4.4), and
# the caches, full, take 1 MB instead of 3.7 (measured over 2,000 infers and 600 runs).
NODES_KEPT = 1_024  # decoded trie nodes (a branch node is about 1 KB decoded)
VALUES_KEPT = 1_024  # (root, key) -> value
LINKS_KEPT = 1_024  # root -> (the root it was made from, the keys that changed)
LINKS_FOLLOWED = 64  # how far back a read looks for a value kept at an earlier root

_nodes: dict[bytes, Any] = {}
_values: dict[tuple[bytes, bytes], bytes] = {}
_links: dict[bytes, tuple[bytes, tuple[bytes, ...]]] = {}


def _copy(node: Any) -> Any:
    """A node the trie may change: py-trie edits branch nodes in place while it sets a key,
    so the kept one is never handed out."""
    if type(node) is list:
        return [item if type(item) is bytes else _copy(item) for item in node]
    return node


def _keep(cache: dict[Any, Any], limit: int, key: Any, value: Any) -> None:
    cache[key] = value
    if len(cache) > limit:
        del cache[next(iter(cache))]


def encode_node(item: Any) -> bytes:
    """``rlp.encode_raw`` for what a trie node is made of: bytes and lists of them (an
    embedded node is a list in its parent). py-trie encodes a node every time it stores or
    prunes one, and rlp's general encoder checks each item's type against several sequence
    types through generators; a branch node's 17 items take half the time here. Anything
    else goes to rlp."""
    if type(item) is bytes:
        if len(item) == 1 and item[0] < 0x80:
            return item
        return _prefixed(0x80, item)
    if type(item) is not list:
        return bytes(encode_raw(item))
    parts = []
    for part in item:
        if type(part) is bytes and len(part) == 32:  # a child's hash, the common case
            parts.append(b"\xa0" + part)
        elif part == b"":
            parts.append(b"\x80")
        else:
            parts.append(encode_node(part))
    return _prefixed(0xC0, b"".join(parts))


def _prefixed(offset: int, payload: bytes) -> bytes:
    """``payload`` after RLP's length prefix: 0x80 for a string, 0xC0 for a list."""
    size = len(payload)
    if size < 56:
        return bytes((offset + size,)) + payload
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((offset + 55 + len(length),)) + length + payload


def made_many(before: bytes, after: bytes, changed: dict[bytes, bytes]) -> None:
    """Sets or deletes (value b"") of the keys ``changed`` took a trie from the root
    ``before`` to ``after``: every other key reads at ``after`` as at ``before``. A new
    block's state is its parent's with a few accounts changed, and the reads of the others
    find their values kept at the parent's root instead of walking the new trie from its
    root."""
    if after != before:
        _keep(_links, LINKS_KEPT, after, (before, tuple(changed)))  # a few keys: a tuple
        for key, value in changed.items():
            _keep(_values, VALUES_KEPT, (after, key), value)


def keep_node(node_hash: bytes, node: Any) -> None:
    """A node just stored under ``node_hash``, kept decoded for the reads after it."""
    if node_hash not in _nodes:
        _keep(_nodes, NODES_KEPT, node_hash, _copy(node))


def _earlier(root: bytes, key: bytes) -> bytes | None:
    """The value of ``key`` kept at a root ``root`` was made from, without ``key`` changing
    on the way; None if none is kept within LINKS_FOLLOWED links."""
    for _ in range(LINKS_FOLLOWED):
        link = _links.get(root)
        if link is None or key in link[1]:
            return None
        root = link[0]
        value = _values.get((root, key))
        if value is not None:
            return value
    return None


class CachedHexaryTrie(HexaryTrie):
    """py-trie's ``HexaryTrie`` with its node decoding and its reads kept by content.

    A pruning trie (py-evm's write tries) also knows the hash of each node it fetched:
    a set or delete prunes the nodes on its path, and py-trie found their hashes by
    encoding and hashing them again (through an LRU cache keyed by the whole node, made
    hashable by copying it into tuples). A fetched node is pruned before py-trie edits it,
    so the hash it was fetched by is still its hash; any other node takes py-trie's way.
    """

    _fetched: dict[int, tuple[Any, bytes]] | None = None

    def get(self, key: bytes) -> bytes:
        at = (self.root_hash, key)
        value = _values.get(at)
        if value is None:
            value = _earlier(self.root_hash, key)
            if value is None:
                value = super().get(key)
            _keep(_values, VALUES_KEPT, at, value)
        return value

    def set(self, key: bytes, value: bytes) -> None:
        before = self.root_hash
        super().set(key, value)
        made_many(before, self.root_hash, {key: value})

    def delete(self, key: bytes) -> None:
        before = self.root_hash
        super().delete(key)
        made_many(before, self.root_hash, {key: b""})

    def get_node(self, node_hash: bytes) -> Any:
        if len(node_hash) != 32 or node_hash == BLANK_NODE_HASH:
            return super().get_node(node_hash)
        node = _nodes.get(node_hash)
        if node is None:
            node = super().get_node(node_hash)
            _keep(_nodes, NODES_KEPT, node_hash, _copy(node))
        else:
            node = _copy(node)
        if self._fetched is not None:  # inside a set or delete of a pruning trie
            self._fetched[id(node)] = (node, node_hash)
        return node

    @contextmanager
    def _prune_on_success(self) -> Iterator[None]:
        # one set or delete's nodes only: never trusted across edits, nor after a failure
        self._fetched = {} if self.is_pruning else None
        try:
            with super()._prune_on_success():
                yield
        finally:
            self._fetched = None

    def _prune_node(self, node: Any) -> None:
        fetched = self._fetched.pop(id(node), None) if self._fetched else None
        if fetched is not None and fetched[0] is node and fetched[1] != self.root_hash:
            # unedited since get_node (py-trie prunes a node before it edits it), and not
            # the root, the one node hashed even when its encoding is under 32 bytes (which
            # py-trie prunes in _set_root_node instead): its hash is the one it came by
            pending = self._pending_prune_keys
            assert pending is not None  # set by _prune_on_success around every set/delete
            pending[fetched[1]] += 1
        else:
            super()._prune_node(node)

    def _node_to_db_mapping(self, node: Any) -> Any:
        # py-trie's LRU cache here serves _prune_node, which no longer needs it
        return self._create_node_to_db_mapping(node)

    def _create_node_to_db_mapping(self, node: Any) -> Any:
        """py-trie's, with its nodes encoded by :func:`encode_node`; a node stored by its
        hash is kept decoded too, so the next block reads it without decoding it. py-trie
        checks each node's shape here first (4% of a scheduled run), a check against its
        own bugs: the nodes come from py-trie's edits and from decoding stored nodes."""
        if is_blank_node(node):
            return BLANK_NODE, None
        encoded = encode_node(node)
        if len(encoded) < 32:
            return node, None
        node_hash = keccak(encoded)
        keep_node(node_hash, node)
        return node_hash, encoded


# The one key of a one-item ordered trie, rlp(0) = 0x80, as a leaf's path: the nibbles 8, 0
# with the even-leaf flag (0x20) in front.
_FIRST_LEAF_PATH = b"\x20\x80"


def ordered_trie_root_and_nodes(items: Any) -> Any:
    """py-evm's ``make_trie_root_and_nodes`` (the transactions, receipts and withdrawals
    tries of a block), with the one-item trie built directly: every automined block has one
    transaction, and py-evm built a trie and a squashing scratch trie for it, twice per
    block. The root of a one-leaf trie is the hash of that leaf's node, whatever its size;
    any other count goes to py-evm."""
    value = items[0].encode() if len(items) == 1 else b""
    if not value:  # not one item (an empty value would be a delete)
        return make_trie_root_and_nodes(items)
    encoded = encode_node([_FIRST_LEAF_PATH, bytes(value)])
    root = keccak(encoded)
    return root, {root: encoded}


def install() -> None:
    """py-evm's account and storage databases build their tries as :class:`CachedHexaryTrie`
    and its blocks' ordered tries with :func:`ordered_trie_root_and_nodes`, from now on
    (idempotent)."""
    eth.db.account.HexaryTrie = CachedHexaryTrie  # type: ignore[misc]
    eth.db.storage.HexaryTrie = CachedHexaryTrie  # type: ignore[misc]
    eth.vm.base.make_trie_root_and_nodes = ordered_trie_root_and_nodes
    eth.db.chain.make_trie_root_and_nodes = ordered_trie_root_and_nodes


def clear(*, nodes: bool = True) -> None:
    """Forget what is kept (for tests and measurements; never needed for correctness);
    ``nodes=False`` forgets the reads only, so the next reads walk the kept nodes."""
    if nodes:
        _nodes.clear()
    _values.clear()
    _links.clear()


__all__ = ["CachedHexaryTrie", "clear", "encode_node", "install", "ordered_trie_root_and_nodes"]
