"""The C keccak for everything in this process that hashes through eth-hash.

py-evm hashes about ninety times per transaction (trie nodes, addresses, storage keys).
eth-hash picks pycryptodome's keccak when both are installed (17 µs a call through ctypes);
safe-pysha3's C keccak takes 3 µs and gives the same digests. eth-hash offers no switch once
its first hash is taken, so its shared hasher is pointed at the faster backend here.
"""

from __future__ import annotations


def use_c_keccak() -> bool:
    """Point eth-hash's shared keccak at safe-pysha3 when it is installed; True if it is."""
    try:
        from eth_hash.backends import pysha3
    except ImportError:
        return False
    from eth_hash.auto import keccak

    assert pysha3.keccak256(b"") == keccak(b"")  # same function, faster
    keccak.hasher = pysha3.keccak256  # type: ignore[assignment]
    keccak.preimage = pysha3.preimage  # type: ignore[assignment]
    return True
