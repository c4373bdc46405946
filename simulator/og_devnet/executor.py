"""The devnet's transaction executor: py-evm's Prague executor without its eager debug line.

py-evm's ``build_evm_message`` formats a debug line for every execution whether or not
anything logs it: ``repr`` of the whole transaction (its call data in hex, megabytes for a
large inference input), a keccak of the data and the target's code in hex. That is about
60 µs for an infer's 3 KB of call data, twice per infer (the estimate and the transaction),
and grows with the input. This executor builds the same message, with the same state
changes in the same order, and formats nothing; ``tests/node/test_executor.py`` compares
it with py-evm's.
"""

from __future__ import annotations

from typing import Any, cast

from eth._utils.address import generate_contract_address
from eth.abc import MessageAPI, SignedTransactionAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.vm.forks.cancun.constants import BLOB_TX_TYPE
from eth.vm.forks.cancun.transactions import BlobTransaction
from eth.vm.forks.prague.state import PragueTransactionExecutor
from eth.vm.message import Message


class DevnetTransactionExecutor(PragueTransactionExecutor):
    def build_evm_message(self, transaction: SignedTransactionAPI) -> MessageAPI:
        """CancunTransactionExecutor.build_evm_message (which Prague keeps), less the
        debug line: the sender pays gas and blob fees up front, its nonce goes up, and the
        message carries the code to run (a delegation's target under EIP-7702)."""
        state: Any = self.vm_state
        gas_fee = transaction.gas * state.get_gas_price(transaction)
        blob_fee = (
            self.calc_data_fee(cast(BlobTransaction, transaction))
            if transaction.type_id == BLOB_TX_TYPE
            else 0
        )
        state.delta_balance(transaction.sender, -1 * (gas_fee + blob_fee))
        state.increment_nonce(transaction.sender)
        refund = self.calc_message_refund(transaction)
        message_gas = transaction.gas - transaction.intrinsic_gas
        if transaction.to == CREATE_CONTRACT_ADDRESS:
            contract_address = generate_contract_address(
                transaction.sender, state.get_nonce(transaction.sender) - 1
            )
            data, code, is_delegation = b"", transaction.data, False
        else:
            contract_address = None
            data = transaction.data
            code, delegation_address = self.get_code_at_address(transaction.to)
            is_delegation = delegation_address is not None
        return Message(
            gas=message_gas,
            to=transaction.to,
            sender=transaction.sender,
            value=transaction.value,
            data=data,
            code=code,
            create_address=contract_address,  # type: ignore[arg-type]  # None: not a create
            refund=refund,
            is_delegation=is_delegation,
        )


__all__ = ["DevnetTransactionExecutor"]
