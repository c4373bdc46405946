"""The trie cache under py-evm (og_devnet.trie_cache) never changes an answer: the same
operations on a cached trie and on py-trie's own give the same roots and values, at every
root, including after py-trie edited a cached node in place."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie

from og_devnet import trie_cache
from og_devnet.trie_cache import CachedHexaryTrie

keys = st.binary(min_size=1, max_size=4)  # short keys share paths: branch nodes get edited
operations = st.lists(
    st.tuples(st.sampled_from(["set", "delete"]), keys, st.binary(min_size=1, max_size=40)),
    min_size=1,
    max_size=40,
)


def _apply(tries: tuple[HexaryTrie, ...], op: str, key: bytes, value: bytes) -> None:
    for trie in tries:
        if op == "set":
            trie[key] = value
        else:
            trie.delete(key)


def _same_reads(
    plain: HexaryTrie, cached: HexaryTrie, roots: list[bytes], asked: list[bytes]
) -> None:
    """Every key asked for reads the same at every root, on the cached trie and py-trie's."""
    for root in roots:
        plain_then, cached_then = HexaryTrie(plain.db, root), CachedHexaryTrie(cached.db, root)
        for key in asked:
            assert cached_then.get(key) == plain_then.get(key)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_a_cached_trie_gives_py_tries_roots_and_values(ops: list[tuple[str, bytes, bytes]]) -> None:
    trie_cache.clear()
    plain, cached = HexaryTrie({}), CachedHexaryTrie({})
    roots = []
    keys_used = [k for _, k, _ in ops]
    for op, key, value in ops:
        _apply((plain, cached), op, key, value)
        assert cached.root_hash == plain.root_hash
        roots.append(plain.root_hash)
        # read every key at every root seen so far, first through the values kept by the
        # sets and the links between roots (a key's value found at an earlier root)...
        _same_reads(plain, cached, roots, keys_used)
        # ...then through the kept nodes (py-trie has edited some of them in place since):
        # old roots answer as they did
        trie_cache.clear(nodes=False)
        _same_reads(plain, cached, roots, keys_used)


def test_a_value_is_never_read_through_the_link_that_changed_it() -> None:
    """When the value kept for the newest root is gone (the caches are bounded), a read
    must not take the one from before the set that changed it."""
    trie_cache.clear()
    trie = CachedHexaryTrie({})
    trie[b"other"] = b"x"
    trie[b"key"] = b"old"
    trie[b"key"] = b"new"
    trie_cache._values.pop((trie.root_hash, b"key"))
    assert trie.get(b"key") == b"new"
    assert trie.get(b"other") == b"x"


@settings(max_examples=60, deadline=None)
@given(operations)
def test_a_cached_pruning_trie_prunes_what_py_trie_prunes(
    ops: list[tuple[str, bytes, bytes]],
) -> None:
    """py-evm's write tries prune: the nodes a set or delete replaces leave the database.
    The cached trie knows the hashes of the nodes it fetched and prunes the same ones."""
    trie_cache.clear()
    plain, cached = HexaryTrie({}, prune=True), CachedHexaryTrie({}, prune=True)
    for op, key, value in ops:
        _apply((plain, cached), op, key, value)
        assert cached.root_hash == plain.root_hash
        assert cached.db == plain.db  # the same nodes kept, the same pruned
        assert dict(cached.ref_count) == dict(plain.ref_count)
        for _, k, _ in ops:
            assert cached.get(k) == plain.get(k)


class _Item:
    def __init__(self, encoded: bytes) -> None:
        self._encoded = encoded

    def encode(self) -> bytes:
        return self._encoded


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=3))
def test_ordered_tries_give_py_evms_root_and_nodes(encodings: list[bytes]) -> None:
    """A block's transactions and receipts tries: the one-item trie built directly gives
    py-evm's root and nodes, short items (a node under 32 bytes) and long ones alike."""
    from eth.db.trie import make_trie_root_and_nodes

    items = [_Item(e) for e in encodings]
    assert trie_cache.ordered_trie_root_and_nodes(items) == make_trie_root_and_nodes(items)


node_parts = st.recursive(
    st.one_of(st.binary(max_size=70), st.binary(min_size=32, max_size=32)),
    lambda children: st.lists(children, max_size=17),
    max_leaves=24,
)


@settings(max_examples=100, deadline=None)
@given(node_parts)
def test_nodes_are_encoded_as_rlp_encodes_them(node: object) -> None:
    """Trie nodes (bytes, and lists of bytes and lists) get rlp's bytes, long items and
    long lists included."""
    import rlp

    assert trie_cache.encode_node(node) == rlp.codec.encode_raw(node)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.lists(st.integers(0, 16), max_size=70))
def test_nibble_helpers_give_py_tries_tuples(key: bytes, nibbles: list[int]) -> None:
    from og_devnet import trie_paths

    original = trie_paths.ORIGINALS
    assert trie_paths.bytes_to_nibbles(key) == original["bytes_to_nibbles"](key)
    for form in (nibbles, tuple(nibbles)):
        added = trie_paths.add_nibbles_terminator(form)
        assert added == original["add_nibbles_terminator"](form)
        assert type(added) is tuple


def test_py_evm_uses_the_cached_trie_once_a_devnet_module_is_imported() -> None:
    import eth.db.account
    import eth.db.chain
    import eth.db.storage
    import eth.vm.base

    import og_devnet.chain  # noqa: F401 - installs the cache

    assert eth.db.account.HexaryTrie is CachedHexaryTrie
    assert eth.db.storage.HexaryTrie is CachedHexaryTrie
    assert eth.vm.base.make_trie_root_and_nodes is trie_cache.ordered_trie_root_and_nodes
    assert eth.db.chain.make_trie_root_and_nodes is trie_cache.ordered_trie_root_and_nodes
    import trie.hexary
    import trie.utils.nodes

    from og_devnet import trie_paths

    assert trie.hexary.bytes_to_nibbles is trie_paths.bytes_to_nibbles
    assert trie.utils.nodes.add_nibbles_terminator is trie_paths.add_nibbles_terminator
