"""A block's changed accounts set in the account trie in one pass.

py-evm sets each changed account in the account trie one after another (three or more per
block), and py-trie rebuilds, encodes and hashes every node on each key's path and prunes
the ones it replaced: the root branch is built once per account, and the pruning
bookkeeping is as much work again (300 µs of an ``infer()``). :func:`put_many` makes the
new nodes once, each from its children made first (165 µs).

A Merkle-Patricia trie's shape is fixed by its keys and values, so the root is the one
py-trie reaches key by key; a property test holds it to that over generated tries. Only
sets are done here: a block whose changes delete an account that is in the trie (a
self-destruct, an emptied account) goes to py-evm's own way, as does any trie node that
cannot be read (a fork's state). Installed by :func:`install` (from ``og_devnet.chain``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import eth.db.account
from eth_utils import keccak
from trie.constants import (
    BLANK_NODE,
    NODE_TYPE_BLANK,
    NODE_TYPE_BRANCH,
    NODE_TYPE_EXTENSION,
    NODE_TYPE_LEAF,
)
from trie.exceptions import MissingTrieNode
from trie.utils.nodes import get_node_type

from . import trie_cache
from .trie_cache import CachedHexaryTrie, encode_node
from .trie_paths import bytes_to_nibbles

Nibbles = tuple[int, ...]
_HEX = "0123456789abcdef"


def hex_prefix(path: Nibbles, leaf: bool) -> bytes:
    """A leaf's or an extension's path as its node holds it (py-trie's ``compute_leaf_key``
    and ``compute_extension_key``, without a generator step per nibble)."""
    flag = 2 if leaf else 0
    digits = "".join(map(_HEX.__getitem__, path))
    if len(path) % 2:
        return bytes.fromhex(_HEX[flag + 1] + digits)
    return bytes.fromhex(_HEX[flag] + "0" + digits)


def node_path(node: Any) -> Nibbles:
    """A leaf's or an extension's path (py-trie's ``extract_key``)."""
    nibbles = bytes_to_nibbles(node[0])
    return nibbles[1:] if nibbles[0] & 1 else nibbles[2:]


# (path below the node being made, the value of a key) or (path, a subtree kept as it is)
_Leaf = tuple[Nibbles, bytes]


class _Builder:
    """Makes new nodes, and keeps the encoding of each one stored under its hash."""

    def __init__(self, resolve: Callable[[Any], Any]) -> None:
        self.resolve = resolve  # a child reference (hash, embedded node, blank) -> node
        self.stored: dict[bytes, tuple[bytes, Any]] = {}  # hash -> (encoding, node)

    def ref(self, node: Any) -> Any:
        """How a parent holds ``node``: its hash, or the node itself when its encoding is
        under 32 bytes (embedded, as py-trie does)."""
        if node == BLANK_NODE:
            return BLANK_NODE
        encoded = encode_node(node)
        if len(encoded) < 32:
            return node
        node_hash = keccak(encoded)
        self.stored[node_hash] = (encoded, node)
        return node_hash

    def put(self, node: Any, items: list[_Leaf]) -> Any:
        """``node`` with the keys ``items`` set (paths relative to it, distinct, sorted)."""
        kind = get_node_type(node)
        if kind == NODE_TYPE_BLANK:
            return self.make([(path, value, None) for path, value in items])
        if kind == NODE_TYPE_LEAF:
            values = dict(items)
            values.setdefault(node_path(node), node[1])
            return self.make([(path, value, None) for path, value in sorted(values.items())])
        if kind == NODE_TYPE_EXTENSION:
            below = self.resolve(node[1])
            entries = [(node_path(node), b"", below)]
            return self.make(entries + [(path, value, None) for path, value in items])
        assert kind == NODE_TYPE_BRANCH
        new = list(node)
        groups: dict[int, list[_Leaf]] = {}
        for path, value in items:
            if path:
                groups.setdefault(path[0], []).append((path[1:], value))
            else:
                new[16] = value
        for nibble, group in groups.items():
            new[nibble] = self.ref(self.put(self.resolve(node[nibble]), group))
        return new

    def make(self, entries: list[tuple[Nibbles, bytes, Any]]) -> Any:
        """The node holding ``entries``: keys' values (path, value, None) and at most one
        subtree kept as it is (path, b"", node), their paths relative to the node made."""
        if len(entries) == 1:
            path, value, subtree = entries[0]
            if subtree is None:
                return [hex_prefix(path, leaf=True), value]
            return self.extension(path, subtree)
        for path, _, subtree in entries:
            if subtree is not None and not path:  # the others go into that subtree
                rest = [(p, v) for p, v, s in entries if s is None]
                return self.put(subtree, rest)
        first = entries[0][0]
        common = min(len(path) for path, _, _ in entries)
        for path, _, _ in entries[1:]:
            common = min(common, _prefix_length(first, path))
        if common:
            below = self.make([(path[common:], value, s) for path, value, s in entries])
            return self.extension(first[:common], below)
        new: list[Any] = [BLANK_NODE] * 17
        groups: dict[int, list[tuple[Nibbles, bytes, Any]]] = {}
        for path, value, subtree in entries:
            if path:
                groups.setdefault(path[0], []).append((path[1:], value, subtree))
            else:
                new[16] = value  # a key ending here (only in tries of keys of several lengths)
        for nibble, group in groups.items():
            new[nibble] = self.ref(self.make(group))
        return new

    def extension(self, path: Nibbles, node: Any) -> Any:
        """``node`` below ``path``: a longer leaf or extension, or an extension to a branch."""
        if not path:
            return node
        kind = get_node_type(node)
        if kind == NODE_TYPE_LEAF:
            return [hex_prefix(path + node_path(node), leaf=True), node[1]]
        if kind == NODE_TYPE_EXTENSION:
            return [hex_prefix(path + node_path(node), leaf=False), node[1]]
        return [hex_prefix(path, leaf=False), self.ref(node)]


def _prefix_length(left: Nibbles, right: Nibbles) -> int:
    for i, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            return i
    return min(len(left), len(right))


def put_many(
    root: Any, items: dict[bytes, bytes], resolve: Callable[[Any], Any]
) -> tuple[bytes, dict[bytes, tuple[bytes, Any]]]:
    """The root hash of the trie ``root`` (a node) with ``items`` set (non-empty values),
    and the new nodes to store: hash -> (encoding, node). The root is stored under its hash
    whatever its size, as py-trie stores it."""
    builder = _Builder(resolve)
    leaves = sorted((bytes_to_nibbles(key), value) for key, value in items.items())
    new_root = builder.put(root, leaves)
    encoded = encode_node(new_root)
    root_hash = keccak(encoded)
    builder.stored[root_hash] = (encoded, new_root)
    return root_hash, builder.stored


_ORIGINAL = eth.db.account.AccountDB._apply_account_diff_without_proof


def _apply_account_diff(self: Any, diff: Any, trie: Any) -> None:
    """py-evm's ``AccountDB._apply_account_diff_without_proof``, the sets in one pass."""
    inner = getattr(trie, "_db", None)  # the HashTrie's hexary trie, in squash_changes
    items = {keccak(key): value for key, value in diff.pending_items()}
    if type(inner) is not CachedHexaryTrie or not items or not all(items.values()):
        return _ORIGINAL(self, diff, trie)
    try:
        if any(inner.get(keccak(key)) for key in diff.deleted_keys()):
            return _ORIGINAL(self, diff, trie)  # a delete that changes the trie
        # the deleted keys are not in the trie: deleting them changes nothing
        before = inner.root_hash
        # py-trie's get_node resolves any reference: the blank root, a hash, an embedded node
        after, stored = put_many(inner.get_node(before), items, inner.get_node)
    except (KeyError, MissingTrieNode):
        return _ORIGINAL(self, diff, trie)  # py-evm's way says which node is missing
    for node_hash, (encoded, node) in stored.items():
        inner._set_db_value(node_hash, encoded)  # counted for pruning, as py-trie's are
        trie_cache.keep_node(node_hash, node)
    inner.root_hash = after
    trie_cache.made_many(before, after, items)
    return None


def install() -> None:
    """py-evm's account databases set a block's accounts in one pass (idempotent)."""
    eth.db.account.AccountDB._apply_account_diff_without_proof = _apply_account_diff  # type: ignore[method-assign]


__all__ = ["hex_prefix", "install", "node_path", "put_many"]
