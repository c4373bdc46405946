"""History kept compressed (``og_devnet.compact_db``): an infer's transaction and receipt
nodes are stored packed, and everything that reads them back (the node's answers for old
blocks, a saved state loaded into a new devnet) sees the same bytes."""

from __future__ import annotations

import numpy as np
import pytest
import rlp
from eth.db.header import HeaderSedes
from eth.db.schema import SchemaV1
from eth.exceptions import HeaderNotFound
from hypothesis import given
from hypothesis import strategies as st

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceMode
from og_alpha.wire import encode_hub_run, encode_model_input
from og_devnet import Devnet, compact_db, statefile
from og_devnet.chain import RECENT_BLOCKS
from og_devnet.compact_db import Packed, compact_key, plain, spelled_key
from tests.conftest import MODELS

# py-evm's lookups by a 32-byte hash, which spell the hash out in their keys
SPELLED_BY = {
    "make_block_hash_to_score_lookup_key",
    "make_transaction_hash_to_block_lookup_key",
    "make_withdrawal_hash_to_block_lookup_key",
}


def test_old_infers_read_back_from_packed_nodes_and_saved_state() -> None:
    devnet = Devnet()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    alpha = devnet.alpha()
    rows = np.arange(40, dtype=np.float32).reshape(10, 4)
    first = alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": rows})
    tx_hash = first.transaction_hash
    answers = {
        method: devnet.node.request(method, [tx_hash])
        for method in ("eth_getTransactionByHash", "eth_getTransactionReceipt")
    }
    for i in range(RECENT_BLOCKS + 2):  # the first block is no longer kept decoded
        alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": rows + i + 1})

    store = statefile.kv_store(devnet)
    dictionaries = set()
    for number in range(1, RECENT_BLOCKS + 4):  # a block of one infer each
        header = devnet.chain.chain.get_canonical_block_header_by_number(number)
        transaction, receipt = store[header.transaction_root], store[header.receipt_root]
        assert type(transaction) is Packed and transaction.near is None
        # the receipt echoes the request: packed after the transaction's bytes
        assert type(receipt) is Packed and receipt.near is transaction
        assert type(store[header.hash]) is Packed
        assert rlp.decode(plain(store[header.hash]), sedes=HeaderSedes) == header
        dictionaries.add(id(transaction.dictionary))
    # the first block's bytes are the dictionary of the blocks after it
    assert len(dictionaries) == 2
    packed = [v for v in store.values() if type(v) is Packed]
    assert all(4 * len(v.data) <= 3 * len(plain(v)) for v in packed)
    for method, answer in answers.items():
        assert devnet.node.request(method, [tx_hash]) == answer

    again = statefile.load_devnet(statefile.dump(devnet))
    for method, answer in answers.items():
        assert again.node.request(method, [tx_hash]) == answer
    block = devnet.node.request("eth_getBlockByNumber", ["0x1", True])
    assert again.node.request("eth_getBlockByNumber", ["0x1", True]) == block


def test_kept_headers_are_the_stored_ones_and_only_while_stored() -> None:
    devnet = Devnet()
    devnet.mine(3)
    chaindb = devnet.chain.chain.chaindb
    head = devnet.chain.head
    stored = rlp.decode(chaindb.db[head.hash], sedes=HeaderSedes)
    assert chaindb.get_block_header_by_hash(head.hash) is head  # kept, not decoded again
    assert stored == head and type(stored) is type(head)
    del chaindb.db[head.hash]
    with pytest.raises(HeaderNotFound):
        chaindb.get_block_header_by_hash(head.hash)


def test_a_block_of_several_infers_packs_against_its_first_transaction() -> None:
    devnet = Devnet()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    rows = np.arange(40, dtype=np.float32).reshape(10, 4)
    devnet.node.request("evm_setAutomine", [False])
    hashes = [
        devnet.web3.eth.send_transaction(
            {
                "from": devnet.accounts[0].address,
                "to": INFERENCE_HUB_ADDRESS,
                "data": "0x"
                + encode_hub_run(
                    cid, InferenceMode.VANILLA, encode_model_input({"open_high_low_close": x})
                ).hex(),
                "gas": 3_000_000,
            }
        ).to_0x_hex()
        for x in (rows, rows + 1, rows + 2)
    ]
    devnet.node.request("evm_mine", [])
    devnet.node.request("evm_setAutomine", [True])
    receipts = [devnet.node.request("eth_getTransactionReceipt", [h]) for h in hashes]
    assert [r["status"] for r in receipts] == ["0x1"] * 3
    assert len({r["blockNumber"] for r in receipts}) == 1
    devnet.mine(RECENT_BLOCKS + 1)  # the block is no longer kept decoded

    store = statefile.kv_store(devnet)
    near = [v.near for v in store.values() if type(v) is Packed and v.near is not None]
    # the later transactions' and the receipts' nodes (py-evm stores the tries of the block as
    # it grew, a transaction at a time), after the first transaction's
    assert len(near) >= 5 and len({id(v) for v in near}) == 1
    # that block made the dictionary: of its first values only, however many it packed
    assert len(devnet.chain.chain.chaindb._dictionary) == compact_db.DICTIONARY_PLACES
    for h, receipt in zip(hashes, receipts, strict=True):
        assert devnet.node.request("eth_getTransactionReceipt", [h]) == receipt
    again = statefile.load_devnet(statefile.dump(devnet))
    for h, receipt in zip(hashes, receipts, strict=True):
        assert again.node.request("eth_getTransactionReceipt", [h]) == receipt


def test_a_new_dictionary_every_dictionary_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compact_db, "DICTIONARY_BLOCKS", 3)
    devnet = Devnet()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    alpha = devnet.alpha()
    rows = np.arange(40, dtype=np.float32).reshape(10, 4)
    hashes = [
        alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": rows * i}).transaction_hash
        for i in range(1, 9)
    ]
    receipts = [devnet.node.request("eth_getTransactionReceipt", [h]) for h in hashes]
    devnet.mine(RECENT_BLOCKS + 1)  # none of them kept decoded
    store = statefile.kv_store(devnet)
    chain = devnet.chain.chain
    headers = [chain.get_canonical_block_header_by_number(n) for n in range(1, 9)]
    dictionaries = [store[h.transaction_root].dictionary for h in headers]
    # block 1 has none; its bytes serve blocks 2-4, block 4's serve 5-7, block 7's serve 8
    assert [len({id(d) for d in dictionaries[a:b]}) for a, b in ((1, 4), (4, 7))] == [1, 1]
    assert len({id(d) for d in dictionaries}) == 4
    for h, receipt in zip(hashes, receipts, strict=True):
        assert devnet.node.request("eth_getTransactionReceipt", [h]) == receipt


@given(st.binary(min_size=32, max_size=32), st.sampled_from(sorted(SPELLED_BY)))
def test_lookup_keys_by_hash_are_held_compact_and_spelled_back(raw: bytes, name: str) -> None:
    key = getattr(SchemaV1, name)(raw)
    held = compact_key(key)
    assert len(held) == 34 and held.endswith(raw)
    assert spelled_key(held) == key
    # what is not a lookup by a 32-byte hash is held as it is
    for other in (raw, key[:-3] + b"'", SchemaV1.make_block_number_to_hash_lookup_key(7)):
        assert compact_key(other) == other and spelled_key(other) == other


def test_a_saved_state_holds_py_evms_keys_and_loads_into_compact_ones() -> None:
    devnet = Devnet()
    devnet.web3.eth.send_transaction(
        {"from": devnet.accounts[0].address, "to": devnet.accounts[1].address, "value": 5}
    )
    head = devnet.chain.head
    spelled = SchemaV1.make_block_hash_to_score_lookup_key(head.hash)
    store = statefile.kv_store(devnet)
    assert compact_key(spelled) in store and spelled not in store
    saved = statefile.decode(statefile.dump(devnet)).db
    assert spelled in saved and compact_key(spelled) not in saved
    again = statefile.load_devnet(statefile.dump(devnet))
    assert compact_key(spelled) in statefile.kv_store(again)
    tx = devnet.node.request("eth_getBlockByNumber", ["latest", False])["transactions"][0]
    receipt = devnet.node.request("eth_getTransactionReceipt", [tx])
    assert again.node.request("eth_getTransactionReceipt", [tx]) == receipt
