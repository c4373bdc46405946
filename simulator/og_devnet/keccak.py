"""The C keccak for everything in this process that hashes through eth-hash.

py-evm hashes about ninety times per transaction (trie nodes, addresses, storage keys).
eth-hash picks pycryptodome's keccak when both are installed (17 µs a call through ctypes);
safe-pysha3's C keccak takes 3 µs and gives the same digests. eth-hash offers no switch once
its first hash is taken, so its shared hasher is pointed at the faster backend here, when
this module is imported: ``og_devnet.chain``, through which every devnet runs py-evm, imports
it, so the switch is made before any chain exists and costs nothing to a process that never
builds one (``og model cid``, the pytest plugin before a fixture is used).
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


C_KECCAK = use_c_keccak()  # True when eth-hash now hashes with safe-pysha3
