"""Signature work py-evm repeats, done once per transaction object.

A sent transaction's signature is checked by the pool checks (``tx.validate()``) and again
by py-evm when it is applied, and its sender is recovered besides: three recoveries of the
public key, two verifications, and three encodings of the message signed (an inference's
call data can be megabytes) for one transaction. py-evm's transactions are immutable, so
what a check found about one object holds for as long as the object lives: the recovered
public key and the verdict are kept on it. A transaction decoded again is another object
and is checked again; the sealed block holds the very objects applied
(``og_devnet.immutables``).

Installed by :func:`install` when ``og_devnet.chain`` is imported, into the fork modules
whose transactions call py-evm's ``validate_transaction_signature`` and
``extract_transaction_sender``.
"""

from __future__ import annotations

import importlib
from typing import Any

from eth._utils import transactions as originals
from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError, keccak

_MESSAGE_HASH = "_og_devnet_message_hash"  # keccak of the message signed
_PUBLIC_KEY = "_og_devnet_public_key"  # recovered from the signature over the message
_VALID = "_og_devnet_signature_valid"  # the verification py-evm makes passed

FORK_MODULES = (
    "eth.vm.forks.frontier.transactions",
    "eth.vm.forks.berlin.transactions",
    "eth.vm.forks.london.transactions",
    "eth.vm.forks.cancun.transactions",
    "eth.vm.forks.prague.transactions",
)


def _signature(transaction: Any) -> Any:
    return keys.Signature(vrs=(transaction.y_parity, transaction.r, transaction.s))


def _message_hash(transaction: Any) -> bytes:
    known: bytes | None = transaction.__dict__.get(_MESSAGE_HASH)
    if known is None:
        known = keccak(transaction.get_message_for_signing())
        transaction.__dict__[_MESSAGE_HASH] = known
    return known


def _public_key(transaction: Any) -> Any:
    """The key recovered from the signature over the message, once per object."""
    public_key = transaction.__dict__.get(_PUBLIC_KEY)
    if public_key is None:
        signature = _signature(transaction)
        public_key = signature.recover_public_key_from_msg_hash(_message_hash(transaction))
        transaction.__dict__[_PUBLIC_KEY] = public_key
    return public_key


def extract_transaction_sender(transaction: Any) -> bytes:
    """py-evm's ``extract_transaction_sender``, keeping the public key it recovers."""
    return bytes(_public_key(transaction).to_canonical_address())


def validate_transaction_signature(transaction: Any) -> None:
    """py-evm's ``validate_transaction_signature`` (the same errors), once per object: the
    key a sender recovery found is verified instead of being recovered again."""
    if transaction.__dict__.get(_VALID):
        return
    try:
        signature = _signature(transaction)
        public_key = _public_key(transaction)
    except BadSignature as exc:
        raise ValidationError(f"Bad Signature: {exc}") from None
    if not signature.verify_msg_hash(_message_hash(transaction), public_key):
        raise ValidationError("Invalid Signature")
    transaction.__dict__[_VALID] = True


def install() -> None:
    """The fork modules call these from now on (idempotent)."""
    for name in FORK_MODULES:
        module = importlib.import_module(name)
        assert module.validate_transaction_signature in (
            originals.validate_transaction_signature,
            validate_transaction_signature,
        )
        module.validate_transaction_signature = validate_transaction_signature  # type: ignore[attr-defined]
        module.extract_transaction_sender = extract_transaction_sender  # type: ignore[attr-defined]


__all__ = ["extract_transaction_sender", "install", "validate_transaction_signature"]
