"""Legacy transactions signed for a local key, as eth-account signs them, in fewer steps.

The SDK signs one transaction per call: legacy (``gasPrice``), EIP-155 (``chainId``),
built by the SDK itself (``to``, ``data``, ``value``, ``nonce``, ``gas``). eth-account
validates and normalises the dict field by field, builds a serializable from it and derives
the key's public key again on every signature: most of the third of a millisecond it takes.
For an eth-account ``LocalAccount`` this encodes the same RLP and signs its hash with the
same key (RFC 6979, so the same bytes: a test compares them); any other signer, or any
other field, goes to the account's own ``sign_transaction``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import rlp
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_utils import is_checksum_address, keccak

FIELDS = {"to", "data", "value", "nonce", "gas", "gasPrice", "chainId"}


_checksummed = lru_cache(maxsize=256)(is_checksum_address)


@lru_cache(maxsize=64)
def private_key(secret: bytes) -> Any:
    """eth-keys' ``PrivateKey``, kept per key: building one derives its public key."""
    return keys.PrivateKey(secret)


def _uint(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value < 2**256 else None


def sign_legacy(account: Any, tx: dict[str, Any]) -> bytes | None:
    """The raw signed transaction, or None where eth-account must sign it."""
    if type(account) is not LocalAccount or set(tx) != FIELDS:
        return None
    numbers = [_uint(tx[k]) for k in ("nonce", "gasPrice", "gas", "value", "chainId")]
    to, data = tx["to"], tx["data"]
    if None in numbers or not isinstance(to, str) or not isinstance(data, bytes):
        return None
    if not _checksummed(to):  # what eth-account accepts of the SDK's addresses
        return None
    target = bytes.fromhex(to[2:])
    nonce, gas_price, gas, value, chain_id = numbers
    assert chain_id is not None
    body = [nonce, gas_price, gas, target, value, data]
    digest = keccak(rlp.encode([*body, chain_id, 0, 0]))
    signature = private_key(bytes(account.key)).sign_msg_hash(digest)
    v = signature.v + 35 + 2 * chain_id
    return bytes(rlp.encode([*body, v, signature.r, signature.s]))


__all__ = ["private_key", "sign_legacy"]
