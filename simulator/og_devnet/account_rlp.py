"""Accounts to and from RLP without rlp's general machinery: the same bytes and objects.

py-evm's account database encodes an account on every change (a balance, a nonce) and
decodes one on every read its cache misses, through rlp's sedes: a list serializer that
checks each of the four fields' types through several layers, and a Serializable built by
keyword. An infer changes and reads accounts about fifty times; this was 8% of its time.

An account is four fields: nonce and balance (minimal big-endian integers), storage root
and code hash (32 bytes each). Anything else, and anything that does not decode back to
the bytes it came from (a non-canonical encoding), goes to rlp, which answers or raises as
it does. Installed by :func:`install` (from ``og_devnet.chain``) as the ``rlp`` that
``eth.db.account`` calls, and as ``Account.copy``.
"""

from __future__ import annotations

import types
from typing import Any

import eth.db.account
import rlp
from eth.rlp.accounts import Account

from .trie_cache import encode_node

_serializable_copy = rlp.Serializable.copy


def _integer(value: int) -> bytes:
    """RLP's big-endian integer: minimal bytes, none for 0."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _fields_ok(nonce: Any, balance: Any, root: Any, code_hash: Any) -> bool:
    return (
        type(nonce) is int
        and type(balance) is int
        and 0 <= nonce < 2**256
        and 0 <= balance < 2**256
        and type(root) is bytes
        and type(code_hash) is bytes
        and len(root) == 32
        and len(code_hash) == 32
    )


def encode_account(account: Any) -> bytes:
    """``rlp.encode(account, sedes=Account)``."""
    nonce, balance, root, code_hash = (
        account.nonce,
        account.balance,
        account.storage_root,
        account.code_hash,
    )
    if not _fields_ok(nonce, balance, root, code_hash):
        return bytes(rlp.encode(account, sedes=Account))
    return encode_node([_integer(nonce), _integer(balance), root, code_hash])


def _read_integer(data: bytes, at: int) -> tuple[int, int]:
    first = data[at]
    if first < 0x80:
        return first, at + 1
    end = at + 1 + first - 0x80
    return int.from_bytes(data[at + 1 : end], "big"), end


def decode_account(data: bytes) -> Any:
    """``rlp.decode(data, sedes=Account)``: an equal Account, its encoding kept on it as rlp
    keeps it."""
    try:
        if type(data) is not bytes or data[0] != 0xF8 or data[1] != len(data) - 2:
            raise ValueError
        nonce, at = _read_integer(data, 2)
        balance, at = _read_integer(data, at)
        if data[at] != 0xA0 or data[at + 33] != 0xA0 or at + 66 != len(data):
            raise ValueError
        account = Account(nonce, balance, data[at + 1 : at + 33], data[at + 34 :])
        if encode_account(account) != data:  # only canonical bytes take this way
            raise ValueError
    except (ValueError, IndexError):
        return rlp.decode(data, sedes=Account)
    account._cached_rlp = data
    return account


def copy_account(account: Any, *args: Any, **changes: Any) -> Any:
    """``Account.copy``: the fields are ints and bytes, so there is nothing to deep-copy."""
    if args or not set(changes) <= {"nonce", "balance", "storage_root", "code_hash"}:
        return _serializable_copy(account, *args, **changes)
    return Account(
        changes.get("nonce", account.nonce),
        changes.get("balance", account.balance),
        changes.get("storage_root", account.storage_root),
        changes.get("code_hash", account.code_hash),
    )


def _encode(obj: Any, sedes: Any = None, **kwargs: Any) -> bytes:
    if sedes is Account and not kwargs:
        return encode_account(obj)
    return bytes(rlp.encode(obj, sedes=sedes, **kwargs))


def _decode(data: bytes, sedes: Any = None, **kwargs: Any) -> Any:
    if sedes is Account and not kwargs:
        return decode_account(data)
    return rlp.decode(data, sedes=sedes, **kwargs)


# What eth.db.account sees as ``rlp``: the account codec, and rlp for everything else.
RLP_FOR_ACCOUNTS = types.SimpleNamespace(
    **{name: getattr(rlp, name) for name in dir(rlp) if not name.startswith("__")}
)
RLP_FOR_ACCOUNTS.encode = _encode
RLP_FOR_ACCOUNTS.decode = _decode


def install() -> None:
    """py-evm's account database encodes and decodes accounts here from now on, and
    ``Account.copy`` copies without deep copies (idempotent)."""
    eth.db.account.rlp = RLP_FOR_ACCOUNTS
    Account.copy = copy_account


__all__ = ["copy_account", "decode_account", "encode_account", "install"]
