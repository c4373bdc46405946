"""Dev accounts: the well-known test mnemonic, so keys match anvil's and hardhat's.

The keys and their derivation are the SDK's (``og_alpha.dev_accounts``: the SDK needs them
without the devnet installed); the devnet adds what genesis gives each of them.
"""

from __future__ import annotations

from og_alpha.dev_accounts import (
    DEV_ACCOUNT_COUNT,
    DEV_MNEMONIC,
    EXECUTOR_INDEX,
    dev_accounts,
    dev_key,
    executor_account,
)

DEV_BALANCE_WEI = 10_000 * 10**18

__all__ = [
    "DEV_ACCOUNT_COUNT",
    "DEV_BALANCE_WEI",
    "DEV_MNEMONIC",
    "EXECUTOR_INDEX",
    "dev_accounts",
    "dev_key",
    "executor_account",
]
