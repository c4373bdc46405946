"""The genesis header's fields are eth-tester's post-merge defaults, with the devnet's time
and gas limit (og_devnet.chain.genesis_params writes them out instead of importing
eth-tester at every start)."""

from __future__ import annotations

from eth_tester.backends.pyevm.main import get_default_genesis_params

from og_devnet.chain import BLOCK_GAS_LIMIT, DEFAULT_GENESIS_TIME, genesis_params


def test_the_genesis_fields_are_eth_testers_defaults() -> None:
    overrides = {"timestamp": DEFAULT_GENESIS_TIME, "gas_limit": BLOCK_GAS_LIMIT}
    assert genesis_params(DEFAULT_GENESIS_TIME) == get_default_genesis_params(overrides)
