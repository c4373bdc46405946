"""The chain backend: a py-evm chain with the network's precompiles, deterministic, and the
facts the node core reads (blocks by tag, number or hash, state at a block, transactions,
receipts) and the changes it makes (send, mine, edit state, snapshot).

The pending block is py-evm's ``MiningChain.header``: transactions apply to it, mining seals
it. ``latest`` is the last sealed block; its state also carries what dev methods changed
since (``anvil_setBalance`` is visible at once, as in anvil) while no transaction is pending.
Nothing here shapes an answer; ``node.serialize`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth.abc import BlockAPI, BlockHeaderAPI, ComputationAPI, SignedTransactionAPI, StateAPI
from eth.chains.base import MiningChain
from eth.consensus import ConsensusApplier, NoProofConsensus
from eth.constants import BLANK_ROOT_HASH, GENESIS_PARENT_HASH
from eth.db.account import AccountDB
from eth.exceptions import (
    BlockNotFound,
    HeaderNotFound,
    TransactionNotFound,
)
from eth.rlp.headers import BlockHeader
from eth.vm.chain_context import ChainContext
from eth.vm.forks.cancun.state import get_total_blob_gas
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState
from eth.vm.spoof import SpoofTransaction
from eth_typing import Address
from eth_utils import keccak

from og_alpha.signing import private_key

from . import account_rlp, immutables, signatures, trie_batch, trie_cache, trie_paths
from .compact_db import CompactChainDB, memory_database
from .executor import DevnetTransactionExecutor
from .headers import next_header
from .keccak import C_KECCAK  # noqa: F401 - on import, eth-hash takes the C keccak
from .precompiles import PrecompileContext

if TYPE_CHECKING:
    from .fork import Fork

trie_cache.install()  # py-evm's tries keep what they decoded and read, by content
trie_paths.install()  # py-trie's nibble helpers without a generator step per nibble
account_rlp.install()  # accounts to and from RLP without rlp's general machinery
immutables.install()  # a copied block shares its transactions, receipts and logs
signatures.install()  # a transaction's signature is recovered and checked once
trie_batch.install()  # a block's changed accounts set in the account trie in one pass

ZERO_ADDRESS = b"\x00" * 20

Precompile = Callable[[ComputationAPI], ComputationAPI]

DEVNET_CHAIN_ID = 31337
# The public client sends run() with a fixed 30,000,000 gas; a block must admit it with room.
BLOCK_GAS_LIMIT = 60_000_000
RECENT_BLOCKS = 64  # sealed blocks kept decoded, with their receipts
DEFAULT_GENESIS_TIME = 1_735_689_600  # 2025-01-01T00:00:00Z: fixed, so hashes are reproducible


@dataclass
class BlockSettings:
    """What dev methods change about the blocks to come (anvil's setBlockTimestampInterval,
    setBlockGasLimit, setNextBlockBaseFeePerGas)."""

    interval: int = 1


def make_chain_class(
    precompiles: dict[bytes, Precompile],
    settings: BlockSettings,
    chain_id: int = DEVNET_CHAIN_ID,
    account_db_class: type[AccountDB] | None = None,
) -> type[MiningChain]:
    """A chain class whose VM has ``precompiles`` added to Prague's; on a fork, with the
    remote's chain id and an account database that reads the remote on a miss."""

    class DevnetComputation(PragueComputation):
        _precompiles = {**PragueComputation.get_precompiles(), **precompiles}

    class DevnetState(PragueState):
        computation_class = DevnetComputation
        transaction_executor_class = DevnetTransactionExecutor

    if account_db_class is not None:
        DevnetState.account_db_class = account_db_class

    class DevnetVM(PragueVM):
        _state_class = DevnetState

        @classmethod
        def create_header_from_parent(cls, parent_header: Any, **params: Any) -> Any:
            # Every header, simulations' included, is one second after its parent unless the
            # clock says otherwise, with a constant gas limit: py-evm's default takes the
            # wall clock, which would make estimates and hashes depend on when a test ran.
            if parent_header is not None:
                params.setdefault("timestamp", parent_header.timestamp + settings.interval)
                params.setdefault("gas_limit", parent_header.gas_limit)
                # prevrandao from the block number, not os.urandom: same chain, same hashes;
                # set here, on the pending header, so transactions see the block's own value
                params.setdefault("mix_hash", prevrandao(parent_header.block_number + 1))
            direct = next_header(parent_header, params)
            if direct is not None:
                return direct
            return super().create_header_from_parent(parent_header, **params)

        @classmethod
        def validate_gas(cls, header: Any, parent_header: Any) -> None:
            """A dev chain's gas limit and base fee are what its user set (anvil's
            setBlockGasLimit and setNextBlockBaseFeePerGas), not the mainnet rules."""

    class DevnetMiningChain(MiningChain):
        chaindb_class = CompactChainDB  # history tries compressed (see compact_db)
        vm_configuration = ConsensusApplier(NoProofConsensus).amend_vm_configuration(
            ((0, DevnetVM),)
        )

        def get_transaction_builder(self) -> Any:
            return self.get_vm().get_transaction_builder()

    DevnetMiningChain.chain_id = chain_id  # the CHAINID opcode reads it
    return DevnetMiningChain


def executed_as(transaction: SignedTransactionAPI, sender: bytes | None) -> Any:
    """``transaction`` as executed: as signed, or as ``sender`` when it was sent by an
    impersonated account (the block keeps the transaction as signed)."""
    if sender is None:
        return transaction
    return SpoofTransaction(transaction, sender=sender, get_sender=lambda: sender)


def prevrandao(number: int) -> bytes:
    return keccak(b"og-devnet:prevrandao:" + number.to_bytes(32, "big"))


def call_depth(computation: ComputationAPI) -> int:
    children = computation.children
    return 1 + max((call_depth(c) for c in children), default=0) if children else 0


def gas_needed(intrinsic: int, computation: ComputationAPI, cap: int) -> int:
    """Gas that always suffices, from one execution (py-evm's binary search takes ~13).

    Take the gas used before refunds, U. A CALL passes on at most 63/64 of what is left, so
    each level of calls can need 64/63 more than it used: U * (64/63)**depth, plus the 2,300
    an SSTORE insists on keeping. A little above the minimum (1.6% per call level); clients
    add their own margin anyway.
    """
    used = intrinsic + computation.get_gas_used()
    depth = call_depth(computation)
    if depth == 0 and not computation.msg.is_create and not computation.msg.code:
        return used  # a plain transfer: exactly what it costs
    return min(cap, -(-used * 64**depth // 63**depth) + 2_300)


@dataclass(frozen=True)
class ChainSnapshot:
    head_hash: bytes
    pending_timestamp: int
    pending_state_root: bytes


@dataclass(frozen=True)
class Located:
    """A transaction found on the chain: its block, itself, its index, whether pending."""

    block: BlockAPI
    transaction: SignedTransactionAPI
    index: int
    pending: bool


class DevnetChain:
    """py-evm, deterministic (virtual clock, fixed prevrandao), aware of simulations."""

    def __init__(
        self,
        context: PrecompileContext,
        precompiles: dict[bytes, Precompile],
        genesis_state: dict[bytes, dict[str, Any]],
        genesis_time: int = DEFAULT_GENESIS_TIME,
        fork: Fork | None = None,
    ) -> None:
        """``genesis_state`` gives each account's balance, nonce, code and storage; on a
        ``fork`` only the fields an account's entry has are set, over the remote's."""
        self.context = context
        self.coinbase = ZERO_ADDRESS
        self.settings = BlockSettings()
        # The remote this chain forked, or None: the first block is then the fork point.
        self.fork = fork
        # py-evm's MiningChain. Typed as Any: its API takes NewTypes (Address, Hash32,
        # BlockNumber) that this module's plain bytes and ints are at run time.
        self.chain: Any
        if fork is None:
            params = genesis_params(genesis_time)
            chain_class: Any = make_chain_class(precompiles, self.settings)
            self.chain = chain_class.from_genesis(memory_database(), params, genesis_state)
        else:
            chain_class = make_chain_class(
                precompiles, self.settings, fork.chain_id, fork.account_db_class()
            )
            self.chain = _fork_chain(chain_class, fork, genesis_state)
        self.chain_id: int = self.chain.chain_id
        # Called with each block sealed, however it was mined (subscriptions listen here).
        self.block_listeners: list[Callable[[BlockAPI], None]] = []
        # Called after a dev method changed state directly (setCode, setStorageAt...).
        self.edit_listeners: list[Callable[[], None]] = []
        # The pending block's VM, kept while the pending header is the same object (see
        # pending_vm); ``_unflushed``: transactions applied since its state root was taken.
        self._vm: Any = None
        self._vm_header: Any = None
        self._receipts: tuple[Any, ...] | None = None
        self._unflushed = False
        self._view: tuple[Any, StateAPI] | None = None  # see latest_view
        # Recently sealed blocks and their receipts by hash (see _sealed), oldest first.
        self._recent: dict[bytes, tuple[Any, ...]] = {}
        # False: a VM per transaction and a state root after each (py-evm's MiningChain),
        # the general path the fast one is tested against.
        self.keep_pending_vm = True

    # --- blocks ------------------------------------------------------------------------------
    @property
    def head(self) -> BlockHeaderAPI:
        """The latest sealed block's header."""
        return self.chain.chaindb.get_canonical_head()

    @property
    def pending_header(self) -> BlockHeaderAPI:
        self.flush()
        return self.chain.header

    def pending_block(self) -> BlockAPI:
        self.flush()
        if not self.keep_pending_vm:
            return self.chain.get_block()
        return self.pending_vm().get_block()

    # --- the pending block's VM --------------------------------------------------------------
    def pending_vm(self) -> Any:
        """The pending block's VM, kept while the pending header stands (anything that
        replaces ``chain.header`` replaces the VM). py-evm's MiningChain builds a VM, a state
        and its caches for every transaction and takes a state root after each; here the
        transactions of a block run on one state, whose root is taken once, when the block
        is sealed (or when something reads the pending header: :meth:`flush`)."""
        header = self.chain.header
        if self._vm is None or self._vm_header is not header:
            self._vm = self.chain.get_vm(header)
            self._vm_header = header
            self._receipts = None
            self._unflushed = False
        return self._vm

    def latest_view(self) -> StateAPI | None:
        """The state at ``latest`` as the pending block's VM holds it, or None while the
        pending block holds transactions (then the two states differ).

        With no transaction pending, ``latest`` (the head, plus dev edits) and the pending
        block have the same accounts: this state has the head's context (number, time,
        base fee) over the pending VM's account database, so an estimate at ``latest``
        warms the caches the transaction that follows it reads. Callers change it only
        inside ``StateCache.scratch``."""
        if not self.keep_pending_vm or self.has_pending_transactions():
            return None
        vm = self.pending_vm()
        if self._view is None or self._view[0] is not vm:
            # the head's execution context over the pending VM's accounts; built without
            # py-evm's state constructor, whose account database and system-contract checks
            # this state would throw away (the pending VM's state ran them)
            head = self.vm_at(self.head)
            state = object.__new__(head.get_state_class())
            state._db = vm.state._db
            state.execution_context = head.create_execution_context(
                head.get_header(), head.previous_hashes, head.chain_context
            )
            state._account_db = vm.state._account_db
            self._view = (vm, state)
        return self._view[1]

    def _set_pending(self, block: BlockAPI) -> None:
        """``block`` is the pending block now, in the kept VM and in the chain."""
        self._vm._block = block  # py-evm keeps the block being built here (pinned py-evm)
        self.chain.header = self._vm_header = block.header

    def flush(self) -> None:
        """Take the state root of the transactions applied since the last one into the
        pending header: what every reader of the pending header sees."""
        if self._unflushed and self._vm_header is self.chain.header:  # else: replaced, gone
            vm = self._vm
            vm.state.persist()
            block = vm.get_block()
            root = vm.state.state_root
            self._set_pending(block.copy(header=block.header.copy(state_root=root)))
        self._unflushed = False

    def has_pending_transactions(self) -> bool:
        return self.chain.header.transaction_root != BLANK_ROOT_HASH

    @property
    def first_number(self) -> int:
        """The first block's number: 0, or on a fork the fork point's (older blocks are the
        remote's, not this chain's)."""
        return 0 if self.fork is None else self.fork.block_number

    def first_block(self) -> BlockAPI:
        """Genesis, or on a fork the fork point: what ``earliest`` names."""
        return self.chain.get_canonical_block_by_number(self.first_number)

    def block_by_number(self, number: int) -> BlockAPI | None:
        if not self.first_number <= number <= self.head.block_number:
            return None
        return self._sealed(self.chain.chaindb.get_canonical_block_hash(number))

    def block_by_hash(self, block_hash: bytes) -> BlockAPI | None:
        """A sealed block on the canonical chain (blocks dropped by a revert are gone)."""
        try:
            header = self.chain.chaindb.get_block_header_by_hash(block_hash)
        except (HeaderNotFound, BlockNotFound, KeyError):
            return None
        if header.block_number > self.head.block_number:
            return None
        try:
            canonical = self.chain.chaindb.get_canonical_block_hash(header.block_number)
        except (HeaderNotFound, KeyError):
            return None
        if canonical != block_hash:
            return None
        return self._sealed(block_hash, header)

    def _sealed(self, block_hash: bytes, header: BlockHeaderAPI | None = None) -> BlockAPI:
        """A sealed block by hash, decoded once: a hash names one block's contents, so the
        recent ones are kept (a receipt lookup after each transaction read them again)."""
        kept = self._recent.get(block_hash)
        if kept is None:
            if header is None:
                header = self.chain.chaindb.get_block_header_by_hash(block_hash)
            kept = self._keep(self.chain.get_block_by_header(header), None)
        return kept[0]

    def _keep(self, block: BlockAPI, receipts: tuple[Any, ...] | None) -> tuple[Any, ...]:
        kept = self._recent[block.hash] = (block, receipts)
        if len(self._recent) > RECENT_BLOCKS:
            del self._recent[next(iter(self._recent))]
        return kept

    def number_of(self, tag: str) -> int:
        """Block number of a tag: the sealed chain's head for latest/safe/finalized."""
        if tag == "earliest":
            return self.first_number
        if tag == "pending":
            return self.pending_header.block_number
        return self.head.block_number

    # --- state -------------------------------------------------------------------------------
    def latest_state_root(self) -> bytes:
        """State at ``latest``: the head's, plus dev-method edits made since it was sealed
        (they live in the pending header while no transaction is pending)."""
        if self.has_pending_transactions():
            return self.head.state_root
        return self.pending_header.state_root

    def vm_at(self, header: BlockHeaderAPI, state_root: bytes | None = None) -> Any:
        if state_root is not None and state_root != header.state_root:
            header = header.copy(state_root=state_root)
        return self.chain.get_vm(at_header=header)

    def state_at(self, header: BlockHeaderAPI, pending: bool = False) -> StateAPI:
        """A throw-away state at a sealed block (``latest`` edits included), or the pending
        block's own state (callers change it only inside ``StateCache.scratch``)."""
        if pending:
            return self.pending_vm().state if self.keep_pending_vm else self.chain.get_vm().state
        root = self.latest_state_root() if header.hash == self.head.hash else None
        return self.vm_at(header, root).state

    # --- transactions ------------------------------------------------------------------------
    def locate(self, transaction_hash: bytes) -> Located | None:
        pending = self.pending_block()
        for index, transaction in enumerate(pending.transactions):
            if transaction.hash == transaction_hash:
                return Located(pending, transaction, index, True)
        try:
            number, index = self.chain.chaindb.get_transaction_index(transaction_hash)
        except (TransactionNotFound, HeaderNotFound, BlockNotFound, KeyError):
            return None
        block = self.block_by_number(number)
        # the index outlives a revert to a snapshot: trust it only where the chain agrees
        if (
            block is None
            or index >= len(block.transactions)
            or block.transactions[index].hash != transaction_hash
        ):
            return None
        return Located(block, block.transactions[index], index, False)

    def receipts(self, block: BlockAPI) -> tuple[Any, ...]:
        kept = self._recent.get(block.hash)
        if kept is not None and kept[1] is not None:
            return kept[1]
        receipts = block.get_receipts(self.chain.chaindb)
        if kept is not None:
            self._keep(kept[0], receipts)
        return receipts

    def next_base_fee(self) -> int:
        return int(calculate_expected_base_fee_per_gas(self.head))

    def pending_base_fee(self) -> int:
        return int(self.pending_header.base_fee_per_gas or 0)

    # --- execution ---------------------------------------------------------------------------
    def decode(self, raw: bytes) -> SignedTransactionAPI:
        return self.chain.get_vm().get_transaction_builder().decode(raw)

    def apply(
        self, transaction: SignedTransactionAPI, sender: bytes | None = None
    ) -> tuple[Any, ComputationAPI]:
        """Apply a validated, signed transaction to the pending block; ``sender`` executes it
        as that account (impersonation: the block keeps the transaction as signed)."""
        executed = executed_as(transaction, sender)
        chain = self.chain
        if not self.keep_pending_vm:
            with self.context.transaction("0x" + transaction.hash.hex()):
                # MiningChain.apply_transaction, the executed and the stored transaction apart
                vm = chain.get_vm(chain.header)
                base = vm.get_block()
                receipt, computation = vm.apply_transaction(base.header, executed)
                with_receipt = vm.add_receipt_to_header(base.header, receipt)
                vm.state.persist()
                header = with_receipt.copy(state_root=vm.state.state_root)
                block = vm.set_block_transactions_and_withdrawals(
                    base,
                    header,
                    base.transactions + (transaction,),
                    base.get_receipts(chain.chaindb) + (receipt,),
                )
                chain.header = block.header
            return receipt, computation
        vm = self.pending_vm()
        base = vm.get_block()
        if self._receipts is None:
            self._receipts = base.get_receipts(chain.chaindb)
        with self.context.transaction("0x" + transaction.hash.hex()):
            receipt, computation = vm.apply_transaction(base.header, executed)
        # the state root stays the last one taken until flush() or the seal takes it
        header = vm.add_receipt_to_header(base.header, receipt)
        receipts = (*self._receipts, receipt)
        block = vm.set_block_transactions_and_withdrawals(
            base, header, base.transactions + (transaction,), receipts
        )
        self._set_pending(block)
        self._receipts = receipts
        self._unflushed = True
        return receipt, computation

    def execute(
        self,
        state: StateAPI,
        transaction: Any,
    ) -> ComputationAPI:
        """Run ``transaction`` (a spoofed, unsigned one) on ``state`` as a simulation: no
        validation of fees or nonce, nothing kept. The caller owns ``state``."""
        executor = state.get_transaction_executor()
        with self.context.simulation():
            message = executor.build_evm_message(transaction)
            computation = executor.build_computation(message, transaction)
        clear = getattr(state, "clear_transient_storage", None)
        if clear is not None:
            clear()
        return computation

    def sign(
        self, key: bytes, *, nonce: int, gas_price: int, gas: int, to: bytes, data: bytes
    ) -> SignedTransactionAPI:
        """A legacy transaction (EIP-155, this chain's id, no value) signed with ``key``: the
        bytes eth-account signs (both sign deterministically, RFC 6979)."""
        unsigned = self.pending_vm().create_unsigned_transaction(
            nonce=nonce, gas_price=gas_price, gas=gas, to=to, value=0, data=data
        )
        signed: SignedTransactionAPI = unsigned.as_signed_transaction(
            private_key(bytes(key)), chain_id=self.chain_id
        )
        return signed

    def unsigned(
        self,
        state: StateAPI,
        sender: bytes,
        to: bytes,
        gas: int,
        gas_price: int,
        value: int,
        data: bytes,
        access_list: list[tuple[bytes, list[int]]] | None = None,
    ) -> Any:
        """A spoofed transaction from ``sender`` with the state's nonce, for simulation."""
        vm = self.chain.get_vm()
        nonce = state.get_nonce(Address(sender))
        if access_list:
            tx = vm.get_transaction_builder().new_unsigned_access_list_transaction(
                chain_id=self.chain_id,
                nonce=nonce,
                gas_price=gas_price,
                gas=gas,
                to=to,
                value=value,
                data=data,
                access_list=[(a, tuple(keys)) for a, keys in access_list],
            )
        else:
            tx = vm.create_unsigned_transaction(
                nonce=nonce, gas_price=gas_price, gas=gas, to=to, value=value, data=data
            )
        return SpoofTransaction(tx, from_=sender)

    # --- mining and time ---------------------------------------------------------------------
    def set_pending_timestamp(self, timestamp: int) -> None:
        self.chain.header = self.pending_header.copy(timestamp=int(timestamp))

    def set_pending_header(self, **fields: Any) -> None:
        """Change the pending block's header fields (gas limit, base fee, timestamp)."""
        self.chain.header = self.pending_header.copy(**fields)

    def drop_pending(
        self,
        keep: Callable[[SignedTransactionAPI], bool],
        sender_of: Callable[[bytes], bytes | None] = lambda _: None,
    ) -> list[bytes]:
        """Rebuild the pending block from the head with only the transactions ``keep``
        accepts (anvil_dropTransaction); returns the hashes dropped."""
        pending = self.pending_block()
        dropped: list[bytes] = [t.hash for t in pending.transactions if not keep(t)]
        if not dropped:
            return []
        header = self.chain.create_header_from_parent(self.head)
        self.chain.header = header.copy(
            timestamp=pending.header.timestamp, gas_limit=pending.header.gas_limit
        )
        for transaction in pending.transactions:
            if transaction.hash not in dropped:
                self.apply(transaction, sender_of(transaction.hash))
        return dropped

    def mine(self) -> BlockAPI:
        """Seal the pending block (at its timestamp, with deterministic prevrandao)."""
        if not self.keep_pending_vm:
            transactions = self.chain.get_block().transactions
            block = self.chain.mine_block(
                coinbase=self.coinbase,
                mix_hash=prevrandao(self.chain.header.block_number),
                blob_gas_used=sum(get_total_blob_gas(t) for t in transactions),
            )
        else:
            block = self._seal()
        for listener in self.block_listeners:
            listener(block)
        return block

    def _seal(self) -> BlockAPI:
        """MiningChain.mine_block_extended on the kept VM: its state's root is taken once,
        by finalize_block, for all the block's transactions; the same checks run."""
        chain, vm = self.chain, self.pending_vm()
        pending = vm.get_block()
        mined = vm.mine_block(
            pending,
            coinbase=self.coinbase,
            mix_hash=prevrandao(pending.number),
            blob_gas_used=sum(get_total_blob_gas(t) for t in pending.transactions),
        ).block
        chain.validate_block(mined)
        chain.chaindb.persist_block(mined)
        self._keep(mined, self._receipts if pending.transactions else ())
        self._unflushed = False
        chain.header = chain.create_header_from_parent(mined.header)
        return mined

    # --- state edits (dev methods) -----------------------------------------------------------
    @contextmanager
    def edit_state(self) -> Iterator[StateAPI]:
        """Change state at once: in the pending block, so ``latest`` reads and the next
        transaction see it (as anvil's setBalance/setCode/setStorageAt)."""
        self.flush()
        state = self.chain.get_vm().state
        yield state
        state.persist()
        self.chain.header = self.chain.header.copy(state_root=state.state_root)
        for listener in self.edit_listeners:
            listener()

    # --- snapshots ---------------------------------------------------------------------------
    def snapshot(self) -> ChainSnapshot:
        return ChainSnapshot(
            self.head.hash, self.pending_header.timestamp, self.latest_state_root()
        )

    def revert(self, snapshot: ChainSnapshot) -> None:
        """Make the snapshot's head the head again, without re-executing anything.

        py-evm keeps every state it computed, so the head is a pointer: moving it back and
        de-canonicalising the later blocks costs well under a millisecond. Pending
        transactions are dropped; the pending block's time and dev edits come back.
        """
        chaindb = self.chain.chaindb
        header = chaindb.get_block_header_by_hash(snapshot.head_hash)
        type(chaindb)._set_as_canonical_chain_head(chaindb.db, header, GENESIS_PARENT_HASH)
        pending = self.chain.create_header_from_parent(header)
        self.chain.header = pending.copy(
            timestamp=snapshot.pending_timestamp, state_root=snapshot.pending_state_root
        )


def _fork_chain(chain_class: Any, fork: Fork, accounts: dict[bytes, dict[str, Any]]) -> Any:
    """A chain whose first block is the fork point: ``accounts``' fields written over the
    remote's accounts (read in one round trip), then a local block numbered as the remote's."""
    fork.prefetch(list(accounts))
    database = memory_database()
    vm_class = chain_class.get_vm_class_for_block_number(fork.block_number)
    before = BlockHeader(difficulty=0, block_number=-1, gas_limit=0)
    state: Any = vm_class.build_state(database, before, ChainContext(chain_class.chain_id))
    for address, fields in accounts.items():
        if "balance" in fields:
            state.set_balance(address, fields["balance"])
        if "nonce" in fields:
            state.set_nonce(address, fields["nonce"])
        if "code" in fields:
            state.set_code(address, fields["code"])
        for slot, value in fields.get("storage", {}).items():
            state.set_storage(address, slot, value)
    state.persist()
    genesis = vm_class.create_genesis_header(**fork.header_params(state.state_root))
    header = genesis.copy(block_number=fork.block_number)
    return chain_class.from_genesis_header(database, header)


def genesis_params(timestamp: int) -> dict[str, Any]:
    """A post-merge genesis header's fields: eth-tester's defaults
    (``get_default_genesis_params``), written out here because importing eth-tester costs
    every devnet process 60-70 ms, with this chain's time and gas limit."""
    return {
        "coinbase": ZERO_ADDRESS,
        "difficulty": 0,
        "extra_data": b"",
        "gas_limit": BLOCK_GAS_LIMIT,
        "mix_hash": b"\x00" * 32,
        "nonce": b"\x00" * 8,
        "receipt_root": BLANK_ROOT_HASH,
        "timestamp": int(timestamp),
        "transaction_root": BLANK_ROOT_HASH,
    }


def genesis_account(balance: int = 0, code: bytes = b"", nonce: int = 0) -> dict[str, Any]:
    return {"balance": balance, "nonce": nonce, "code": code, "storage": {}}


__all__ = [
    "BLOCK_GAS_LIMIT",
    "DEFAULT_GENESIS_TIME",
    "DEVNET_CHAIN_ID",
    "ChainSnapshot",
    "DevnetChain",
    "Located",
    "gas_needed",
    "genesis_account",
    "genesis_params",
    "make_chain_class",
]
