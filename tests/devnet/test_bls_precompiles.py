"""The EVM's pairing-based precompiles answer on the devnet as py_ecc computes, though
og_devnet defers py_ecc's pairing and BLS12-381 modules until first use (og_devnet.deferred):
each check below is the first use of one deferred module, and runs it."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from og_devnet.deferred import functions, waiting

ECPAIRING = "0x0000000000000000000000000000000000000008"  # alt_bn128, EIP-197
G1ADD = "0x000000000000000000000000000000000000000b"  # BLS12-381, EIP-2537
PAIRING_CHECK = "0x000000000000000000000000000000000000000F"
MAP_FP_TO_G1 = "0x0000000000000000000000000000000000000010"
ONE = (1).to_bytes(32, "big")


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


@pytest.fixture
def call(og_devnet: Any) -> Any:
    def call(to: str, data: bytes) -> bytes:
        return bytes(og_devnet.web3.eth.call({"to": to, "data": "0x" + data.hex()}))

    return call


def ran(name: str) -> bool:
    return name in sys.modules and name not in waiting()


def test_bls12_381_addition_pairing_and_map_to_g1(call: Any) -> None:
    from py_ecc.bls.hash_to_curve import clear_cofactor_G1, map_to_curve_G1
    from py_ecc.fields import optimized_bls12_381_FQ as FQ
    from py_ecc.optimized_bls12_381 import G1, G2, add, multiply, neg

    assert call(G1ADD, g1(G1) + g1(multiply(G1, 2))) == g1(add(G1, multiply(G1, 2)))
    # e(P, Q) * e(-P, Q) == 1 (a pairing costs about a second: one identity is checked)
    assert call(PAIRING_CHECK, g1(G1) + g2(G2) + g1(neg(G1)) + g2(G2)) == ONE
    assert ran("py_ecc.optimized_bls12_381.optimized_pairing")
    assert call(MAP_FP_TO_G1, fp(7)) == g1(clear_cofactor_G1(map_to_curve_G1(FQ(7))))
    assert ran("py_ecc.bls.hash_to_curve")


def test_alt_bn128_pairing_of_no_pairs_is_one(call: Any) -> None:
    assert call(ECPAIRING, b"") == ONE  # the empty product, through final_exponentiate
    assert ran("py_ecc.optimized_bn128.optimized_pairing")


def test_bls_keys_and_the_reference_pairing_module() -> None:
    from py_ecc.bls import G2ProofOfPossession
    from py_ecc.bls12_381 import bls12_381_pairing, field_modulus

    # secret key 1's public key is the compressed G1 generator (point_compression)
    assert G2ProofOfPossession.SkToPk(1).hex() == (
        "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af0"
        "0adb22c6bb"
    )
    assert ran("py_ecc.bls.point_compression")
    # a constant of a deferred module runs it when read
    assert bls12_381_pairing.field_modulus == field_modulus
    assert ran("py_ecc.bls12_381.bls12_381_pairing")
    assert "__getattr__" not in vars(bls12_381_pairing)


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
