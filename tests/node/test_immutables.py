"""A sealed block shares the transaction objects that were applied (og_devnet.immutables):
equal, immutable, and knowing their sender; and Prague headers and blocks are copied in one
step, to what rlp's copy gives."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import rlp
from eth.rlp.transactions import BaseTransaction
from eth.vm.forks.prague.blocks import PragueBlock, PragueBlockHeader
from hypothesis import given
from hypothesis import strategies as st
from rlp import Serializable

from og_devnet import Devnet
from og_devnet.accounts import dev_key


def test_a_deep_copy_of_a_transaction_is_itself_and_cannot_change() -> None:
    devnet = Devnet()
    tx = devnet.chain.sign(
        dev_key(1), nonce=0, gas_price=10**9, gas=21000, to=b"\xde" * 20, data=b""
    )
    assert copy.deepcopy(tx) is tx
    assert copy.deepcopy((tx, [tx]))[0] is tx
    with pytest.raises(AttributeError):
        tx.nonce = 5  # type: ignore[misc]
    assert isinstance(tx, BaseTransaction)


def test_the_sealed_block_holds_the_applied_transactions() -> None:
    devnet = Devnet()
    node = devnet.node
    tx = devnet.chain.sign(
        dev_key(1), nonce=0, gas_price=10**9, gas=21000, to=b"\xde" * 20, data=b""
    )
    node.accept(tx)
    block = devnet.chain.mine()
    assert block.transactions[0] is tx
    again = devnet.chain.chain.get_canonical_block_by_number(block.number)
    assert again.transactions[0] == tx and again.hash == block.hash


_HASH = st.binary(min_size=32, max_size=32)
_UINT = st.integers(min_value=0, max_value=2**256 - 1)
_HEADER_FIELDS = {
    "parent_hash": _HASH,
    "uncles_hash": _HASH,
    "coinbase": st.binary(min_size=20, max_size=20),
    "state_root": _HASH,
    "transaction_root": _HASH,
    "receipt_root": _HASH,
    "bloom": st.integers(min_value=0, max_value=2**2048 - 1),
    "difficulty": _UINT,
    "block_number": _UINT,
    "gas_limit": _UINT,
    "gas_used": _UINT,
    "timestamp": _UINT,
    "extra_data": st.binary(max_size=32),
    "mix_hash": _HASH,
    "nonce": st.binary(min_size=8, max_size=8),
    "base_fee_per_gas": _UINT,
    "withdrawals_root": _HASH,
    "blob_gas_used": _UINT,
    "excess_blob_gas": _UINT,
    "parent_beacon_block_root": _HASH,
    "requests_hash": _HASH,
}
_HEADERS = st.fixed_dictionaries(_HEADER_FIELDS).map(lambda f: PragueBlockHeader(**f))


@given(_HEADERS, st.data())
def test_a_header_copy_is_rlps(header: PragueBlockHeader, data: st.DataObject) -> None:
    names = data.draw(st.sets(st.sampled_from(sorted(_HEADER_FIELDS))))
    changes = {name: data.draw(_HEADER_FIELDS[name]) for name in names}
    assert header.hash  # the header now keeps its hash and encoding: a copy must not
    ours, rlps = header.copy(**changes), Serializable.copy(header, **changes)
    assert type(ours) is type(rlps) is PragueBlockHeader
    assert vars(ours) == vars(rlps)  # the fields, and no hash or encoding kept from header
    assert rlp.encode(ours) == rlp.encode(rlps) and ours.hash == rlps.hash
    assert header.copy() == header and header.copy() is not header


@pytest.fixture(scope="module")
def block() -> PragueBlock:
    devnet = Devnet()
    devnet.web3.eth.send_transaction(
        {"from": devnet.accounts[0].address, "to": devnet.accounts[1].address, "value": 1}
    )
    return devnet.chain.chain.get_canonical_block_by_number(1)


@given(header=_HEADERS, new_header=st.booleans(), txs=st.booleans())
def test_a_block_copy_is_rlps(
    block: PragueBlock, header: PragueBlockHeader, new_header: bool, txs: bool
) -> None:
    changes: dict[str, Any] = {}
    if new_header:
        changes["header"] = header
    if txs:
        changes["transactions"] = list(block.transactions) * 2  # a list, made a tuple
    ours, rlps = block.copy(**changes), Serializable.copy(block, **changes)
    assert type(ours) is type(rlps) is PragueBlock
    assert rlp.encode(ours) == rlp.encode(rlps)
    assert ours.header == rlps.header and ours.transactions == rlps.transactions
    assert type(ours.transactions) is tuple
    assert int(ours.bloom_filter) == int(rlps.bloom_filter) == ours.header.bloom
    assert ours.block_requests == rlps.block_requests == [] and ours.block_requests is not (
        block.block_requests
    )
