"""The dev accounts: the well-known test mnemonic, so keys match anvil's and hardhat's.

These facts live in the SDK, not the devnet, because the SDK needs them without the devnet
installed: it uses dev account 0 by default on a network on this machine, and refuses every
dev key elsewhere. ``og_devnet.accounts`` funds these same accounts in genesis.

The keys are public. They must never guard anything real.
"""

from __future__ import annotations

from functools import cache

from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from eth_account.signers.local import LocalAccount

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
# The account that sends the devnet's scheduled runs, kept apart from the users' ten so that
# scheduled runs never touch a user's nonce.
EXECUTOR_INDEX = 99

# Addresses of dev accounts 0-9 and of the executor (index 99), written out so that checking
# an address costs no key derivation (tests/packaging/test_dev_accounts.py derives them).
DEV_ADDRESSES: tuple[str, ...] = (
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    "0x98D08079928FcCB30598c6C6382ABfd7dbFaA1cD",
)


def dev_path(index: int) -> str:
    """The BIP-44 derivation path of dev account ``index``: ``m/44'/60'/0'/0/index``."""
    return f"m/44'/60'/0'/0/{index}"


@cache
def _seed() -> bytes:
    return seed_from_mnemonic(DEV_MNEMONIC, "")


@cache
def dev_key(index: int) -> bytes:
    """The private key of dev account ``index`` (BIP-44 path m/44'/60'/0'/0/index)."""
    return key_from_seed(_seed(), dev_path(index))


def dev_accounts(count: int = DEV_ACCOUNT_COUNT) -> list[LocalAccount]:
    """The first ``count`` dev accounts, as eth-account ``LocalAccount``s."""
    return [Account.from_key(dev_key(i)) for i in range(count)]


def executor_account() -> LocalAccount:
    """The devnet's scheduler executor (dev account 99)."""
    account: LocalAccount = Account.from_key(dev_key(EXECUTOR_INDEX))
    return account
