"""Accounts to and from RLP (og_devnet.account_rlp) give rlp's bytes and objects, and rlp's
verdict on anything that is not a canonical account encoding."""

from __future__ import annotations

import rlp
from eth.rlp.accounts import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from og_devnet import account_rlp

integers = st.one_of(st.integers(0, 300), st.integers(0, 2**256 - 1))
hashes = st.binary(min_size=32, max_size=32)
accounts = st.builds(Account, integers, integers, hashes, hashes)


def _outcome(fn: object, data: bytes) -> object:
    try:
        return fn(data)  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - the kind is what is compared
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(accounts)
def test_accounts_encode_and_decode_as_rlp_does(account: Account) -> None:
    encoded = rlp.encode(account, sedes=Account)
    assert account_rlp.encode_account(account) == encoded
    decoded = account_rlp.decode_account(encoded)
    assert decoded == rlp.decode(encoded, sedes=Account)
    assert decoded._cached_rlp == encoded


@settings(max_examples=300, deadline=None)
@given(accounts, st.integers(0, 120), st.binary(max_size=3))
def test_damaged_encodings_get_rlps_verdict(account: Account, cut: int, junk: bytes) -> None:
    """Cut, extended or non-canonical bytes: the same account or the same kind of error."""
    encoded = rlp.encode(account, sedes=Account)
    nonce = account.nonce.to_bytes(max(1, (account.nonce.bit_length() + 7) // 8), "big")
    padded = rlp.encode([b"\x00" + nonce, account.balance, account.storage_root, account.code_hash])
    for data in (encoded[:cut], encoded + junk, padded, encoded[:cut] + junk):
        want = _outcome(lambda d: rlp.decode(d, sedes=Account), data)
        assert _outcome(account_rlp.decode_account, data) == want


@given(accounts, integers, integers)
def test_copies_are_serializables_copies(account: Account, nonce: int, balance: int) -> None:
    for changes in ({}, {"nonce": nonce}, {"balance": balance}, {"storage_root": b"\x01" * 32}):
        ours = account_rlp.copy_account(account, **changes)
        theirs = rlp.Serializable.copy(account, **changes)
        assert ours == theirs and type(ours) is Account


def test_py_evm_reads_and_writes_accounts_here_once_a_devnet_module_is_imported() -> None:
    import eth.db.account

    import og_devnet.chain  # noqa: F401 - installs it

    assert eth.db.account.rlp.encode(Account(1, 2), sedes=Account) == rlp.encode(
        Account(1, 2), sedes=Account
    )
    assert eth.db.account.rlp is account_rlp.RLP_FOR_ACCOUNTS
    assert Account.copy is account_rlp.copy_account
