"""Trie reads that py-evm repeats, answered once: a process-wide, bounded, content-addressed
cache under py-evm's account and storage tries.

py-evm builds a fresh ``HexaryTrie`` for each state and each contract's storage, and every
read walks it from the root: decode each node's RLP, convert the key to nibbles. A devnet
reads the same accounts and slots over and over (an infer reads its sender, the hub and the
precompiles in the estimate, the pool checks, the transaction and the receipt), and a
scheduled run writes into a storage trie whose upper nodes it decoded the block before.

Both caches are keyed by content, so they can never answer wrongly, whatever chain, state
or database asks: a node hash names one node, and a trie root names one mapping of keys to
values. They are bounded (oldest out first) and shared by every devnet in the process, as
the C keccak is (``og_devnet.keccak``). Installed by :func:`install` when ``og_devnet.chain``
is imported: py-evm's ``eth.db.account`` and ``eth.db.storage`` build their tries from the
class installed there.
"""

from __future__ import annotations

from typing import Any

import eth.db.account
import eth.db.storage
from trie import HexaryTrie
from trie.constants import BLANK_NODE_HASH

NODES_KEPT = 4_096  # decoded trie nodes (a branch node is about 1 KB decoded)
VALUES_KEPT = 4_096  # (root, key) -> value

_nodes: dict[bytes, Any] = {}
_values: dict[tuple[bytes, bytes], bytes] = {}


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


class CachedHexaryTrie(HexaryTrie):
    """py-trie's ``HexaryTrie`` with its node decoding and its reads kept by content."""

    def get(self, key: bytes) -> bytes:
        at = (self.root_hash, key)
        value = _values.get(at)
        if value is None:
            value = super().get(key)
            _keep(_values, VALUES_KEPT, at, value)
        return value

    def get_node(self, node_hash: bytes) -> Any:
        if len(node_hash) != 32 or node_hash == BLANK_NODE_HASH:
            return super().get_node(node_hash)
        node = _nodes.get(node_hash)
        if node is None:
            node = super().get_node(node_hash)
            _keep(_nodes, NODES_KEPT, node_hash, _copy(node))
            return node
        return _copy(node)


def install() -> None:
    """py-evm's account and storage databases build their tries as :class:`CachedHexaryTrie`
    from now on (idempotent)."""
    eth.db.account.HexaryTrie = CachedHexaryTrie  # type: ignore[misc]
    eth.db.storage.HexaryTrie = CachedHexaryTrie  # type: ignore[misc]


def clear(*, nodes: bool = True) -> None:
    """Forget what is kept (for tests and measurements; never needed for correctness);
    ``nodes=False`` forgets the reads only, so the next reads walk the kept nodes."""
    if nodes:
        _nodes.clear()
    _values.clear()


__all__ = ["CachedHexaryTrie", "clear", "install"]
