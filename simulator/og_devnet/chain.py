"""The chain: an eth-tester ``PyEVMBackend`` on a py-evm chain with the network's precompiles.

eth-tester gives the JSON-RPC-shaped API web3 needs; this module makes the chain under it
deterministic (block times from a virtual clock, fixed prevrandao), places the network's
contracts in genesis, and tells the precompiles when they run in a simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.abc import ComputationAPI, SignedTransactionAPI, StateAPI
from eth.chains.base import MiningChain
from eth.consensus import ConsensusApplier, NoProofConsensus
from eth.constants import GENESIS_PARENT_HASH
from eth.db import get_db_backend
from eth.exceptions import BlockNotFound, HeaderNotFound, VMError
from eth.exceptions import TransactionNotFound as EthTransactionNotFound
from eth.vm.forks.cancun.state import get_total_blob_gas
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState
from eth.vm.spoof import SpoofTransaction
from eth_tester.backends.pyevm.main import (
    EVMSpoofTransaction,
    PyEVMBackend,
    _execute_and_revert_transaction,
    get_default_genesis_params,
)
from eth_tester.backends.pyevm.serializers import (
    serialize_transaction,
    serialize_transaction_receipt,
)
from eth_tester.exceptions import TransactionFailed, TransactionNotFound, ValidationError
from eth_utils import keccak, to_canonical_address

from .precompiles import PrecompileContext

ZERO_ADDRESS = b"\x00" * 20

Precompile = Callable[[ComputationAPI], ComputationAPI]

DEVNET_CHAIN_ID = 31337
# The public client sends run() with a fixed 30,000,000 gas; a block must admit it with room.
BLOCK_GAS_LIMIT = 60_000_000
DEFAULT_GENESIS_TIME = 1_735_689_600  # 2025-01-01T00:00:00Z: fixed, so hashes are reproducible


def make_chain_class(precompiles: dict[bytes, Precompile]) -> type[MiningChain]:
    """A chain class whose VM has ``precompiles`` added to Prague's."""

    class DevnetComputation(PragueComputation):
        _precompiles = {**PragueComputation.get_precompiles(), **precompiles}

    class DevnetState(PragueState):
        computation_class = DevnetComputation

    class DevnetVM(PragueVM):
        _state_class = DevnetState

        @classmethod
        def create_header_from_parent(cls, parent_header: Any, **params: Any) -> Any:
            # Every header, simulations' included, is one second after its parent unless the
            # clock says otherwise, with a constant gas limit: py-evm's default takes the
            # wall clock, which would make estimates and hashes depend on when a test ran.
            if parent_header is not None:
                params.setdefault("timestamp", parent_header.timestamp + 1)
                params.setdefault("gas_limit", parent_header.gas_limit)
            return super().create_header_from_parent(parent_header, **params)

    class DevnetChain(MiningChain):
        chain_id = DEVNET_CHAIN_ID
        gas_estimator = staticmethod(estimate_gas)
        vm_configuration = ConsensusApplier(NoProofConsensus).amend_vm_configuration(
            ((0, DevnetVM),)
        )

        def get_transaction_builder(self) -> Any:
            return self.get_vm().get_transaction_builder()

    return DevnetChain


def _apply(state: StateAPI, tx: SignedTransactionAPI, gas: int) -> ComputationAPI:
    snapshot = state.snapshot()
    try:
        return state.apply_transaction(SpoofTransaction(tx, gas=gas, gas_price=0))
    finally:
        state.revert(snapshot)


def _call_depth(computation: ComputationAPI) -> int:
    children = computation.children
    return 1 + max((_call_depth(c) for c in children), default=0) if children else 0


def estimate_gas(state: StateAPI, transaction: SignedTransactionAPI) -> int:
    """Gas estimate from one execution, where py-evm's binary search takes ~13.

    Run once with the block's gas and take the gas used before refunds, U. A CALL passes on
    at most 63/64 of what is left, so each level of calls can need 64/63 more than it used:
    U * (64/63)**depth, plus the 2,300 an SSTORE insists on keeping, always suffices. It is a
    little above the minimum (1.6% per call level); clients add their own margin anyway.
    """
    cap = state.gas_limit
    computation = _apply(state, transaction, cap)
    if computation.is_error:
        raise computation.error
    used = transaction.intrinsic_gas + computation.get_gas_used()
    needed = -(-used * 64 ** _call_depth(computation) // 63 ** _call_depth(computation)) + 2_300
    return min(cap, needed)


class DevnetBackend(PyEVMBackend):
    """eth-tester's py-evm backend, made deterministic and aware of simulations."""

    def __init__(
        self,
        context: PrecompileContext,
        precompiles: dict[bytes, Precompile],
        genesis_state: dict[bytes, dict[str, Any]],
        account_keys: tuple[Any, ...],
        genesis_time: int = DEFAULT_GENESIS_TIME,
    ) -> None:
        self.context = context
        self.account_keys = account_keys
        params = get_default_genesis_params(
            overrides={"timestamp": genesis_time, "gas_limit": BLOCK_GAS_LIMIT}
        )
        chain_class = make_chain_class(precompiles)
        self.chain = chain_class.from_genesis(get_db_backend(), params, genesis_state)

    # eth-tester finds a transaction by walking back from the head, block by block: 0.2 ms a
    # block, under the node's lock, and once per block in eth_getLogs. py-evm keeps an index.
    def _locate(self, transaction_hash: bytes) -> tuple[Any, Any, int, bool]:
        """(block, transaction, index in the block, whether the block is the pending one)."""
        head = self.chain.get_block()
        for index, transaction in enumerate(head.transactions):
            if transaction.hash == transaction_hash:
                return head, transaction, index, True
        try:
            number, index = self.chain.chaindb.get_transaction_index(transaction_hash)
            block = self.chain.get_canonical_block_by_number(number)
        except (EthTransactionNotFound, HeaderNotFound, BlockNotFound, KeyError):
            block = None
        # the index outlives a revert to a snapshot: trust it only where the chain agrees
        if (
            block is None
            or number >= head.number
            or index >= len(block.transactions)
            or block.transactions[index].hash != transaction_hash
        ):
            raise TransactionNotFound(
                f"No transaction found for transaction hash: 0x{transaction_hash.hex()}"
            )
        return block, block.transactions[index], index, False

    def get_transaction_by_hash(self, transaction_hash: bytes) -> Any:
        block, transaction, index, is_pending = self._locate(transaction_hash)
        return serialize_transaction(block, transaction, index, is_pending)

    def get_transaction_receipt(self, transaction_hash: bytes) -> Any:
        block, transaction, index, is_pending = self._locate(transaction_hash)
        return serialize_transaction_receipt(
            block,
            block.get_receipts(self.chain.chaindb),
            transaction,
            index,
            is_pending,
            self.chain.get_vm(),
        )

    def reset_to_genesis(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover
        raise NotImplementedError("create a new Devnet instead of resetting to genesis")

    # --- time and mining ---------------------------------------------------------------------
    @property
    def pending_timestamp(self) -> int:
        return int(self.chain.header.timestamp)

    def set_pending_timestamp(self, timestamp: int) -> None:
        """Time of the next block. Only while the pending block holds no transaction."""
        self.chain.header = self.chain.header.copy(timestamp=int(timestamp))

    def mine_blocks(self, num_blocks: int = 1, coinbase: bytes = ZERO_ADDRESS) -> tuple[bytes, ...]:
        hashes = []
        for _ in range(num_blocks):
            number = self.chain.header.block_number
            block = self.chain.mine_block(
                coinbase=coinbase,
                # prevrandao from the block number, not os.urandom: same chain, same hashes.
                mix_hash=keccak(b"og-devnet:prevrandao:" + number.to_bytes(32, "big")),
                blob_gas_used=sum(
                    get_total_blob_gas(t) for t in self.chain.get_block().transactions
                ),
            )
            hashes.append(block.hash)
        return tuple(hashes)

    def revert_to_snapshot(self, snapshot: bytes) -> None:
        """Make block ``snapshot`` (a hash) the head again, without re-executing anything.

        py-evm keeps every state it computed, so the head is a pointer: moving it back and
        de-canonicalising the later blocks (and their transaction lookups) costs well under a
        millisecond, where eth-tester's revert re-imports, and so re-executes, the block.
        """
        chaindb = self.chain.chaindb
        header = chaindb.get_block_header_by_hash(snapshot)
        type(chaindb)._set_as_canonical_chain_head(chaindb.db, header, GENESIS_PARENT_HASH)
        self.chain.header = self.chain.create_header_from_parent(header)

    def set_balance(self, account: bytes, balance: int) -> None:
        """Set a balance in the pending block's state (anvil_setBalance)."""
        state = self.chain.get_vm().state
        state.set_balance(account, balance)
        state.persist()
        self.chain.header = self.chain.header.copy(state_root=state.state_root)

    def time_travel(self, to_timestamp: int) -> int:
        self.set_pending_timestamp(to_timestamp)
        self.mine_blocks()
        return to_timestamp

    # --- execution ---------------------------------------------------------------------------
    def send_raw_transaction(self, raw_transaction: bytes) -> bytes:
        try:
            tx = self.chain.get_vm().get_transaction_builder().decode(raw_transaction)
        except Exception as exc:  # noqa: BLE001 - rlp and py-evm raise several kinds
            raise ValidationError(f"invalid raw transaction: cannot decode it ({exc})") from None
        chain_id = getattr(tx, "chain_id", None)
        if chain_id is not None and chain_id != DEVNET_CHAIN_ID:
            raise ValidationError(
                f"invalid chain id {chain_id}: this devnet is chain {DEVNET_CHAIN_ID}; sign "
                "with the chain id eth_chainId returns"
            )
        with self.context.transaction("0x" + keccak(raw_transaction).hex()):
            self.chain.apply_transaction(tx)
            return tx.hash

    def send_signed_transaction(self, signed_transaction: Any, block_number: Any = "latest") -> Any:
        return super().send_signed_transaction(signed_transaction, block_number)

    def send_transaction(self, transaction: Any) -> bytes:
        signed = self._get_normalized_and_signed_evm_transaction(transaction)
        with self.context.transaction("0x" + signed.hash.hex()):
            self.chain.apply_transaction(signed)
        return signed.hash

    def estimate_gas(self, transaction: Any, block_number: Any = "latest") -> int:
        with self.context.simulation():
            return super().estimate_gas(transaction, block_number)

    def call(self, transaction: Any, block_number: Any = "latest") -> bytes:
        # eth-tester's call keeps only the decoded reason of a revert; keep the revert itself
        # so the node can answer with its data, as geth does.
        with self.context.simulation():
            defaulted = dict(transaction)
            defaulted.setdefault("gas", self._max_available_gas())
            unsigned = self._get_normalized_and_unsigned_evm_transaction(defaulted, block_number)
            spoofed = EVMSpoofTransaction(unsigned, from_=transaction["from"])
            computation = _execute_and_revert_transaction(self.chain, spoofed, block_number)
            if computation.is_error:
                raise TransactionFailed(computation.error)
            return computation.output


def genesis_account(balance: int = 0, code: bytes = b"", nonce: int = 0) -> dict[str, Any]:
    return {"balance": balance, "nonce": nonce, "code": code, "storage": {}}


def address(hex_address: str) -> bytes:
    return to_canonical_address(hex_address)


__all__ = [
    "BLOCK_GAS_LIMIT",
    "DEFAULT_GENESIS_TIME",
    "DEVNET_CHAIN_ID",
    "DevnetBackend",
    "VMError",
    "address",
    "estimate_gas",
    "genesis_account",
    "make_chain_class",
]
