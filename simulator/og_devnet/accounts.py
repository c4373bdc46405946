"""Dev accounts: the well-known test mnemonic, so keys match anvil's and hardhat's.

These keys are public. They fund the devnet and must never guard anything real; the SDK's
network switch refuses them on any network but a local one.
"""

from __future__ import annotations

from functools import cache

from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from eth_account.signers.local import LocalAccount

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
DEV_BALANCE_WEI = 10_000 * 10**18
# The account that sends scheduled runs, kept apart from the users' ten so that scheduled
# runs never touch a user's nonce.
EXECUTOR_INDEX = 99


def _path(index: int) -> str:
    return f"m/44'/60'/0'/0/{index}"


@cache
def _seed() -> bytes:
    return seed_from_mnemonic(DEV_MNEMONIC, "")


@cache
def dev_key(index: int) -> bytes:
    """The private key of dev account ``index`` (BIP-44 path m/44'/60'/0'/0/index)."""
    return key_from_seed(_seed(), _path(index))


def dev_accounts(count: int = DEV_ACCOUNT_COUNT) -> list[LocalAccount]:
    """The first ``count`` dev accounts, as eth-account ``LocalAccount``s."""
    return [Account.from_key(dev_key(i)) for i in range(count)]


def executor_account() -> LocalAccount:
    return Account.from_key(dev_key(EXECUTOR_INDEX))
