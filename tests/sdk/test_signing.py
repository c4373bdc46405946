"""The SDK's legacy signing (og_alpha.signing) gives eth-account's bytes, and leaves every
other case to eth-account."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from og_alpha.signing import sign_legacy

ACCOUNT = Account.from_key("0x" + "4c" * 32)
uints = st.one_of(st.integers(0, 1000), st.integers(0, 2**256 - 1))
transactions = st.fixed_dictionaries(
    {
        "to": st.binary(min_size=20, max_size=20).map(to_checksum_address),
        "data": st.binary(max_size=300),
        "value": uints,
        "nonce": st.integers(0, 2**64 - 1),
        "gas": st.integers(21000, 2**63),
        "gasPrice": uints,
        "chainId": st.integers(1, 2**32),
    }
)


@settings(max_examples=200, deadline=None)
@given(transactions)
def test_the_bytes_are_eth_accounts(tx: dict[str, Any]) -> None:
    assert sign_legacy(ACCOUNT, tx) == bytes(ACCOUNT.sign_transaction(tx).raw_transaction)


def test_anything_else_is_left_to_eth_account() -> None:
    tx = {
        "to": to_checksum_address("0x" + "11" * 20),
        "data": b"",
        "value": 0,
        "nonce": 0,
        "gas": 21000,
        "gasPrice": 1,
        "chainId": 1,
    }
    assert sign_legacy(ACCOUNT, tx) is not None

    class Signer(type(ACCOUNT)):  # type: ignore[misc]
        pass

    others = [
        {**tx, "type": 0},  # another field
        {k: v for k, v in tx.items() if k != "to"},  # a contract creation
        {**tx, "data": "0x"},  # data as hex text
        {**tx, "to": "11" * 20},
        {**tx, "to": "0x" + "ab" * 20},  # not in checksum form
        {**tx, "value": -1},
        {**tx, "gas": True},
    ]
    for other in others:
        assert sign_legacy(ACCOUNT, other) is None
    assert sign_legacy(Signer(ACCOUNT._key_obj, Account), tx) is None
