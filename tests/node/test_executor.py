"""The devnet's transaction executor (og_devnet.executor) builds py-evm's message, with
py-evm's state changes: only py-evm's unread debug line is left out."""

from __future__ import annotations

from typing import Any

import pytest
from eth.vm.forks.prague.state import PragueTransactionExecutor
from eth_keys import keys

from og_alpha import INFERENCE_HUB_ADDRESS
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from og_devnet.executor import DevnetTransactionExecutor


def _message_and_state(executor_class: Any, transaction: Any, devnet: Devnet) -> tuple:
    state = devnet.chain.chain.get_vm().state
    message = executor_class(state).build_evm_message(transaction)
    fields = tuple(getattr(message, name, None) for name in type(message).__slots__)
    account = (state.get_balance(transaction.sender), state.get_nonce(transaction.sender))
    return fields, account


@pytest.mark.parametrize("kind", ["call a contract", "create", "transfer"])
def test_the_message_and_the_senders_account_are_py_evms(kind: str) -> None:
    devnet = Devnet()
    to = {
        "call a contract": bytes.fromhex(INFERENCE_HUB_ADDRESS[2:]),  # the code goes along
        "create": b"",
        "transfer": b"\xde" * 20,
    }[kind]
    vm = devnet.chain.chain.get_vm()
    unsigned = vm.create_unsigned_transaction(
        nonce=0, gas_price=10**9, gas=500_000, to=to, value=7, data=b"\x01\x02" * 100
    )
    tx = unsigned.as_signed_transaction(keys.PrivateKey(dev_key(2)), chain_id=devnet.chain.chain_id)
    ours = _message_and_state(DevnetTransactionExecutor, tx, devnet)
    theirs = _message_and_state(PragueTransactionExecutor, tx, Devnet())
    assert ours == theirs
    if kind == "call a contract":
        assert any(type(v) is bytes and len(v) > 100 for v in ours[0])  # the hub's code


def test_the_devnets_state_runs_this_executor() -> None:
    state = Devnet().chain.chain.get_vm().state
    assert isinstance(state.get_transaction_executor(), DevnetTransactionExecutor)
