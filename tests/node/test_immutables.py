"""A sealed block shares the transaction objects that were applied (og_devnet.immutables):
equal, immutable, and knowing their sender."""

from __future__ import annotations

import copy

import pytest
from eth.rlp.transactions import BaseTransaction

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
