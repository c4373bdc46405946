"""History kept compressed (``og_devnet.compact_db``): an infer's transaction and receipt
nodes are stored packed, and everything that reads them back (the node's answers for old
blocks, a saved state loaded into a new devnet) sees the same bytes."""

from __future__ import annotations

import numpy as np
import pytest
import rlp
from eth.db.header import HeaderSedes
from eth.exceptions import HeaderNotFound

from og_alpha import InferenceMode
from og_devnet import Devnet, statefile
from og_devnet.chain import RECENT_BLOCKS
from og_devnet.compact_db import Packed, plain
from tests.conftest import MODELS


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
    packed = [v for v in store.values() if type(v) is Packed]
    assert len(packed) >= 2 * (RECENT_BLOCKS + 3)  # a transaction and a receipt per infer
    assert all(2 * len(v.data) <= len(plain(v)) for v in packed)
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
