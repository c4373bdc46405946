"""Prague's BLS12-381 precompiles (EIP-2537) answer on the devnet as py_ecc computes, though
og_devnet defers py_ecc's pairing modules until first use (og_devnet.deferred): G1 addition
(0x0b) and the pairing check (0x0f), whose first call runs the deferred module."""

from __future__ import annotations

import sys
from typing import Any

from og_devnet.deferred import functions

G1ADD = "0x000000000000000000000000000000000000000b"
PAIRING_CHECK = "0x000000000000000000000000000000000000000F"


def fp(value: Any) -> bytes:
    """A base-field element as EIP-2537 encodes it: 64 bytes, big-endian."""
    return int(value).to_bytes(64, "big")


def g1(point: Any) -> bytes:
    from py_ecc.optimized_bls12_381 import normalize

    x, y = normalize(point)
    return fp(x) + fp(y)


def g2(point: Any) -> bytes:
    from py_ecc.optimized_bls12_381 import normalize

    x, y = normalize(point)
    return fp(x.coeffs[0]) + fp(x.coeffs[1]) + fp(y.coeffs[0]) + fp(y.coeffs[1])


def test_g1_addition_and_the_pairing_check_answer_as_py_ecc_computes(og_devnet: Any) -> None:
    from py_ecc.optimized_bls12_381 import G1, G2, add, multiply, neg

    def call(to: str, data: bytes) -> bytes:
        return bytes(og_devnet.web3.eth.call({"to": to, "data": "0x" + data.hex()}))

    assert call(G1ADD, g1(G1) + g1(multiply(G1, 2))) == g1(add(G1, multiply(G1, 2)))
    # e(P, Q) * e(-P, Q) == 1 (a pairing costs about a second: one is checked)
    assert call(PAIRING_CHECK, g1(G1) + g2(G2) + g1(neg(G1)) + g2(G2)) == (1).to_bytes(32, "big")
    # the pairing ran py_ecc's module, into the module object its callers imported
    pairing = sys.modules["py_ecc.optimized_bls12_381.optimized_pairing"]
    assert "exptable" in vars(pairing) and "__getattr__" not in vars(pairing)


def test_the_stand_ins_are_the_modules_functions_only() -> None:
    source = b"""
import math
from os import path as joined
X = 1
def kept(a): return a
def rebound(): pass
rebound = 2
def imported(): pass
from os import imported
class C: pass
def C(): pass
async def waits(): pass
if X:
    def conditional(): pass
"""
    assert functions(source) == ["kept"]
