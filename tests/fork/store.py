"""A minimal storage contract for the fork tests, hand-assembled so they need no compiler.

Calldata ``slot ‖ value`` (64 bytes) stores ``value`` at ``slot``; any other calldata returns
the word at slot ``calldataload(0)`` (slot 0 for none). Its constructor stores 42 at slot 0
and 7 at slot 1.
"""

from __future__ import annotations

RUNTIME = bytes.fromhex(
    "366040146013576000355460005260206000f3"  # if size != 64: return sload(calldataload(0))
    "5b60203560003555" + "00"  # else: sstore(calldataload(0), calldataload(32)); stop
)
_STORE = bytes.fromhex("602a6000556007600155")  # sstore(0, 42); sstore(1, 7)
_INIT_LENGTH = len(_STORE) + 12
INIT_CODE = (
    _STORE
    + bytes([0x60, len(RUNTIME), 0x60, _INIT_LENGTH, 0x60, 0x00, 0x39])  # codecopy
    + bytes([0x60, len(RUNTIME), 0x60, 0x00, 0xF3])  # return(0, len)
)
assert len(INIT_CODE) == _INIT_LENGTH
DEPLOY_CODE = INIT_CODE + RUNTIME  # a creation transaction's data


def store_data(slot: int, value: int) -> bytes:
    return slot.to_bytes(32, "big") + value.to_bytes(32, "big")


def load_data(slot: int) -> bytes:
    return slot.to_bytes(32, "big")
