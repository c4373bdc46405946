"""The pending header built in one step (``og_devnet.headers``) equals the one py-evm's Prague
VM builds through its seven forks, field for field and by hash, for any Prague parent."""

from __future__ import annotations

from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlockHeader
from hypothesis import given, settings
from hypothesis import strategies as st

from og_devnet.headers import next_header

word = st.binary(min_size=32, max_size=32)
parents = st.builds(
    PragueBlockHeader,
    difficulty=st.just(0),
    block_number=st.integers(0, 2**40),
    gas_limit=st.integers(5_000, 2**40),
    timestamp=st.integers(1, 2**40),
    coinbase=st.binary(min_size=20, max_size=20),
    parent_hash=word,
    state_root=word,
    transaction_root=word,
    receipt_root=word,
    gas_used=st.integers(0, 2**40),
    extra_data=st.binary(max_size=32),
    mix_hash=word,
    base_fee_per_gas=st.integers(0, 2**64),
    blob_gas_used=st.integers(0, 2**24),
    excess_blob_gas=st.integers(0, 2**24),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(parents, st.integers(0, 10**6), st.integers(5_000, 2**40), word)
def test_the_next_header_is_py_evms(
    parent: PragueBlockHeader, later: int, gas_limit: int, mix_hash: bytes
) -> None:
    params = {"timestamp": parent.timestamp + later, "gas_limit": gas_limit, "mix_hash": mix_hash}
    direct = next_header(parent, dict(params))
    expected = PragueVM.create_header_from_parent(parent, **params)
    assert direct is not None
    assert type(direct) is type(expected)
    assert direct.as_dict() == expected.as_dict()
    assert direct.hash == expected.hash


def test_other_parameters_and_parents_are_left_to_py_evm() -> None:
    parent = PragueBlockHeader(difficulty=0, block_number=1, gas_limit=30_000_000, timestamp=9)
    params = {"timestamp": 10, "gas_limit": 30_000_000, "mix_hash": b"\x01" * 32}
    assert next_header(parent, {**params, "coinbase": b"\x02" * 20}) is None
    assert next_header(parent, {"timestamp": 10}) is None
    assert next_header(None, params) is None
