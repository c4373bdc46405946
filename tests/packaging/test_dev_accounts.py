"""The dev-account facts live in the SDK (og_alpha.dev_accounts); the devnet funds them."""

from __future__ import annotations

from eth_account import Account

import og_devnet.accounts
from og_alpha import dev_accounts
from og_alpha.networks import DEV_ADDRESSES
from og_devnet import Devnet

# anvil's and hardhat's dev key 0 for "test test ... junk"
ANVIL_KEY_0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def test_keys_are_anvils_and_the_written_out_addresses_are_derived_from_them() -> None:
    assert dev_accounts.dev_key(0).hex() == ANVIL_KEY_0
    derived = [
        Account.from_key(dev_accounts.dev_key(i)).address
        for i in [*range(dev_accounts.DEV_ACCOUNT_COUNT), dev_accounts.EXECUTOR_INDEX]
    ]
    assert list(dev_accounts.DEV_ADDRESSES) == derived
    assert dev_accounts.executor_account().address == derived[-1]


def test_the_network_switch_refuses_exactly_the_dev_addresses() -> None:
    assert {a.lower() for a in dev_accounts.DEV_ADDRESSES} == DEV_ADDRESSES


def test_the_devnet_uses_the_sdks_derivation_and_funds_those_accounts() -> None:
    assert og_devnet.accounts.dev_key is dev_accounts.dev_key
    assert og_devnet.accounts.DEV_MNEMONIC == dev_accounts.DEV_MNEMONIC
    devnet = Devnet()
    funded = [a.address for a in devnet.accounts]
    assert funded == list(dev_accounts.DEV_ADDRESSES[: dev_accounts.DEV_ACCOUNT_COUNT])
    for address in funded:
        assert devnet.web3.eth.get_balance(address) == og_devnet.accounts.DEV_BALANCE_WEI
