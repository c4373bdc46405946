"""A block's accounts set in one pass (og_devnet.trie_batch) make the trie py-trie makes
key by key: the same root, every key readable from it; and a devnet's blocks are the same
with it as with py-evm's own account updates."""

from __future__ import annotations

from typing import Any

import pytest
from eth.db.account import AccountDB
from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie
from trie.utils.nodes import compute_extension_key, compute_leaf_key, extract_key

from og_alpha import InferenceMode, SchedulerParams
from og_devnet import Devnet, trie_batch
from og_devnet.trie_batch import hex_prefix, node_path, put_many
from tests.conftest import MODELS
from tests.e2e.test_workflows import eth_query

# keys of nibbles 0 and 1 only: they share long prefixes, so extensions are split and
# branches made at every depth; short values make nodes under 32 bytes, embedded
keys = st.lists(st.sampled_from([0x00, 0x01, 0x10, 0x11]), min_size=32, max_size=32).map(bytes)
values = st.one_of(st.binary(min_size=1, max_size=3), st.binary(min_size=30, max_size=80))
tries = st.dictionaries(keys, values, max_size=30)


@settings(max_examples=60, deadline=None)
@given(tries, st.dictionaries(keys, values, min_size=1, max_size=8))
def test_a_batch_makes_the_trie_py_trie_makes(
    before: dict[bytes, bytes], batch: dict[bytes, bytes]
) -> None:
    py_trie = HexaryTrie({})
    for key, value in before.items():
        py_trie[key] = value
    ours = HexaryTrie(dict(py_trie.db))
    ours.root_hash = py_trie.root_hash
    for key, value in batch.items():
        py_trie[key] = value

    root = ours.get_node(ours.root_hash) if before else b""
    root_hash, stored = put_many(root, batch, ours.get_node)
    for node_hash, (encoded, _) in stored.items():
        ours.db[node_hash] = encoded
    assert root_hash == py_trie.root_hash
    after = HexaryTrie(ours.db, root_hash)
    for key, value in {**before, **batch}.items():
        assert after.get(key) == value


@given(st.lists(st.integers(0, 15), max_size=70), st.booleans())
def test_paths_are_encoded_and_read_as_py_trie_does(nibbles: list[int], leaf: bool) -> None:
    path = tuple(nibbles)
    expected = compute_leaf_key(path) if leaf else compute_extension_key(path)
    assert hex_prefix(path, leaf) == expected
    assert node_path([expected, b"x"]) == extract_key([expected, b"x"])


def _blocks(devnet_run: Any) -> list[Any]:
    devnet = Devnet()
    devnet_run(devnet)
    return [
        devnet.node.request("eth_getBlockByNumber", [hex(n), False])
        for n in range(devnet.block_number + 1)
    ]


def _sequence(devnet: Devnet) -> None:
    alpha = devnet.alpha()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    for i in range(3):
        alpha.infer(cid, InferenceMode(i), {"open_high_low_close": [[float(i)] * 4] * 10})
    address = alpha.new_workflow(
        cid, eth_query(), "open_high_low_close", SchedulerParams(frequency=60, duration_hours=1)
    )
    alpha.run_workflow(address)
    devnet.advance(300)
    for to in (
        devnet.accounts[2].address,
        "0xdEDEDEDEdEdEdEDedEDeDedEdEdeDedEdEDedEdE",
    ):  # a new account
        devnet.web3.eth.send_transaction({"from": devnet.accounts[1].address, "to": to, "value": 7})


def test_a_devnets_blocks_are_py_evms(monkeypatch: pytest.MonkeyPatch) -> None:
    batches = []
    monkeypatch.setattr(trie_batch, "put_many", lambda *a: batches.append(1) or put_many(*a))
    ours = _blocks(_sequence)
    assert len(batches) >= len(ours) - 1  # every block's accounts went the one-pass way
    monkeypatch.setattr(AccountDB, "_apply_account_diff_without_proof", trie_batch._ORIGINAL)
    assert _blocks(_sequence) == ours
