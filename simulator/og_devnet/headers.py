"""The pending header after a Prague parent, built in one step.

py-evm's ``create_header_from_parent`` for Prague calls Cancun's, which calls Shanghai's,
Paris's, Gray and Arrow Glacier's and London's: seven headers are built, turned into dicts
and merged, to make the one the next block starts from (about 4% of an ``infer()``). For the
parameters the devnet passes on every block (time, gas limit, prevrandao) the result is a
fixed function of the parent; :func:`next_header` computes it directly. Anything else (other
parameters, a parent of an earlier fork, no parent) goes to py-evm, and a test compares the
two over generated parents.
"""

from __future__ import annotations

from typing import Any

from eth.constants import (
    BLANK_ROOT_HASH,
    EMPTY_SHA256,
    EMPTY_UNCLE_HASH,
    POST_MERGE_DIFFICULTY,
    POST_MERGE_NONCE,
    ZERO_ADDRESS,
)
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth.vm.forks.prague.headers import calc_excess_blob_gas_prague
from eth_typing import BlockNumber

# What the devnet's VM always passes; with exactly these, the header is computed here.
DIRECT_PARAMS = frozenset({"timestamp", "gas_limit", "mix_hash"})


def next_header(parent: Any, params: dict[str, Any]) -> PragueBlockHeader | None:
    """The header py-evm's Prague VM creates after ``parent`` with ``params``, or None when
    these are not the ones computed here (the caller asks py-evm)."""
    if type(parent) is not PragueBlockHeader or params.keys() != DIRECT_PARAMS:
        return None
    return PragueBlockHeader(
        difficulty=POST_MERGE_DIFFICULTY,
        block_number=BlockNumber(parent.block_number + 1),
        gas_limit=params["gas_limit"],
        timestamp=params["timestamp"],
        coinbase=ZERO_ADDRESS,
        parent_hash=parent.hash,
        uncles_hash=EMPTY_UNCLE_HASH,
        state_root=parent.state_root,
        transaction_root=BLANK_ROOT_HASH,
        receipt_root=BLANK_ROOT_HASH,
        mix_hash=params["mix_hash"],
        nonce=POST_MERGE_NONCE,
        base_fee_per_gas=calculate_expected_base_fee_per_gas(parent),
        withdrawals_root=BLANK_ROOT_HASH,
        blob_gas_used=0,
        excess_blob_gas=calc_excess_blob_gas_prague(parent),
        parent_beacon_block_root=BLANK_ROOT_HASH,
        requests_hash=EMPTY_SHA256,
    )
