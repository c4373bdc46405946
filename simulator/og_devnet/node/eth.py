"""The ``eth_*``, ``net_*`` and ``web3_*`` methods: each reads its parameters strictly
(``params``), asks the chain, and answers through ``serialize``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import rlp
from eth.rlp.accounts import Account as RlpAccount
from eth.vm.forks.cancun.constants import BLOB_BASE_FEE_UPDATE_FRACTION, MIN_BLOB_BASE_FEE
from eth.vm.forks.cancun.state import fake_exponential
from eth_utils import keccak
from trie import HexaryTrie

from . import blocks, info, logs, params, serialize
from .errors import invalid_params, server_error
from .execution import sha3
from .params import BlockId, arity, at

if TYPE_CHECKING:
    from eth.abc import BlockAPI

    from .core import Node

MAX_BLOB_GAS_PER_BLOCK = 1_179_648  # Prague: 9 blobs of 131,072


def _storage_key(value: Any) -> int:
    if isinstance(value, str) and value.startswith("0x") and 2 < len(value) <= 66:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise invalid_params(f"invalid storage slot: {value!r} is not 0x hex of at most 32 bytes")


def _blob_base_fee(header: Any) -> int:
    excess = int(getattr(header, "excess_blob_gas", 0) or 0)
    return int(fake_exponential(MIN_BLOB_BASE_FEE, excess, BLOB_BASE_FEE_UPDATE_FRACTION))


class Eth:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.chain = node.chain
        self.execution = node.execution

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "eth_chainId": lambda p: serialize.q(self.chain.chain_id),
            "net_version": lambda p: str(self.chain.chain_id),
            "net_listening": lambda p: True,
            "net_peerCount": lambda p: "0x0",
            "web3_clientVersion": lambda p: self.node.client_version,
            "web3_sha3": lambda p: sha3(params.data(at(p, 0, "data"), "data")),
            "eth_protocolVersion": lambda p: "0x41",
            "eth_syncing": lambda p: False,
            "eth_mining": lambda p: True,
            "eth_hashrate": lambda p: "0x0",
            "eth_coinbase": lambda p: serialize.addr(self.chain.coinbase),
            "eth_accounts": lambda p: [serialize.addr(a) for a in self.node.accounts()],
            "eth_blockNumber": lambda p: serialize.q(self.chain.head.block_number),
            "eth_gasPrice": lambda p: serialize.q(self.chain.next_base_fee() + 10**9),
            "eth_maxPriorityFeePerGas": lambda p: serialize.q(10**9),
            "eth_baseFee": lambda p: serialize.q(self.chain.next_base_fee()),
            "eth_config": lambda p: info.config(self.chain),
            "eth_capabilities": lambda p: info.capabilities(self.chain),
            "eth_getStorageValues": self.get_storage_values,
            "eth_fillTransaction": self.fill_transaction,
            "eth_blobBaseFee": lambda p: serialize.q(_blob_base_fee(self.chain.pending_header)),
            "eth_feeHistory": self.fee_history,
            "eth_getBalance": self._account_reader(
                "getBalance", lambda s, a: serialize.q(s.get_balance(a))
            ),
            "eth_getTransactionCount": self._account_reader(
                "getTransactionCount", lambda s, a: serialize.q(s.get_nonce(a))
            ),
            "eth_getCode": self._account_reader("getCode", lambda s, a: serialize.d(s.get_code(a))),
            "eth_getStorageAt": self.get_storage_at,
            "eth_getProof": self.get_proof,
            "eth_getBlockByNumber": self.block_by_number,
            "eth_getBlockByHash": self.block_by_hash,
            "eth_getBlockTransactionCountByNumber": self._count(
                False, lambda b: len(b.transactions)
            ),
            "eth_getBlockTransactionCountByHash": self._count(True, lambda b: len(b.transactions)),
            "eth_getUncleCountByBlockNumber": self._count(False, lambda b: len(b.uncles)),
            "eth_getUncleCountByBlockHash": self._count(True, lambda b: len(b.uncles)),
            "eth_getUncleByBlockNumberAndIndex": lambda p: None,
            "eth_getUncleByBlockHashAndIndex": lambda p: None,
            "eth_getTransactionByHash": self.transaction_by_hash,
            "eth_getTransactionByBlockHashAndIndex": self._tx_at(True),
            "eth_getTransactionByBlockNumberAndIndex": self._tx_at(False),
            "eth_getTransactionReceipt": self.receipt,
            "eth_getBlockReceipts": self.block_receipts,
            "eth_call": self.call,
            "eth_estimateGas": self.estimate_gas,
            "eth_createAccessList": self.create_access_list,
            "eth_sendRawTransaction": self.send_raw_transaction,
            "eth_sendTransaction": self.send_transaction,
            "eth_signTransaction": self.sign_transaction,
            "eth_sign": self.sign,
            "personal_sign": self.personal_sign,
            "eth_signTypedData_v4": self.sign_typed_data,
            "eth_getLogs": self.get_logs,
            "eth_newFilter": self.new_filter,
            "eth_newBlockFilter": lambda p: self.node.filters.install(
                "block", self.chain.head.block_number
            ),
            "eth_newPendingTransactionFilter": lambda p: self.node.filters.install(
                "pending", self.chain.head.block_number
            ),
            "eth_getFilterChanges": self.filter_changes,
            "eth_getFilterLogs": self.filter_logs,
            "eth_uninstallFilter": lambda p: self.node.filters.uninstall(at(p, 0, "filter id")),
        }

    # --- state ---------------------------------------------------------------------------------
    def _account_reader(
        self, name: str, read: Callable[[Any, bytes], Any]
    ) -> Callable[[list[Any]], Any]:
        def method(p: list[Any]) -> Any:
            arity(f"eth_{name}", p, 2)
            account = params.address(at(p, 0, "address"), "address")
            state, _ = blocks.state(
                self.chain, params.block_id(at(p, 1, "block", required=False)), self.node.states
            )
            return read(state, account)

        return method

    def get_storage_at(self, p: list[Any]) -> str:
        arity("eth_getStorageAt", p, 3)
        account = params.address(at(p, 0, "address"), "address")
        slot = _storage_key(at(p, 1, "storage slot"))
        state, _ = blocks.state(
            self.chain, params.block_id(at(p, 2, "block", required=False)), self.node.states
        )
        return serialize.h32(state.get_storage(account, slot))

    def get_storage_values(self, p: list[Any]) -> dict[str, list[str]]:
        arity("eth_getStorageValues", p, 2)
        requests = at(p, 0, "requests")
        if not isinstance(requests, dict):
            raise invalid_params("invalid requests: expected an object of address to slots")
        state, _ = blocks.state(
            self.chain, params.block_id(at(p, 1, "block", required=False)), self.node.states
        )
        out = {}
        for key, slots in requests.items():
            account = params.address(key, "address")
            if not isinstance(slots, list):
                raise invalid_params(f"invalid slots for {key}: expected an array")
            out[key] = [serialize.h32(state.get_storage(account, _storage_key(s))) for s in slots]
        return out

    def get_proof(self, p: list[Any]) -> dict[str, Any]:
        arity("eth_getProof", p, 3)
        if self.chain.fork is not None:
            raise server_error(
                "eth_getProof is not served by a fork: its tries hold only what changed here, "
                f"not the remote's state; ask the node it forked ({self.chain.fork.shown_url})"
            )
        account = params.address(at(p, 0, "address"), "address")
        keys = at(p, 1, "storage keys")
        if not isinstance(keys, list):
            raise invalid_params("invalid storage keys: expected an array of slots")
        slots = [_storage_key(k) for k in keys]
        resolved = blocks.require(self.chain, params.block_id(at(p, 2, "block", required=False)))
        header = resolved.block.header
        root = (
            self.chain.latest_state_root()
            if header.hash == self.chain.head.hash
            else header.state_root
        )
        if resolved.pending:
            root = self.chain.pending_header.state_root
        db = self.chain.chain.chaindb.db
        trie = HexaryTrie(db, root)
        key = keccak(account)
        encoded = trie.get(key)
        acct = rlp.decode(encoded, sedes=RlpAccount) if encoded else RlpAccount()
        storage = HexaryTrie(db, acct.storage_root)
        return {
            "address": serialize.addr(account),
            "balance": serialize.q(acct.balance),
            "nonce": serialize.q(acct.nonce),
            "codeHash": serialize.d(acct.code_hash),
            "storageHash": serialize.d(acct.storage_root),
            "accountProof": [serialize.d(rlp.encode(n)) for n in trie.get_proof(key)],
            "storageProof": [self._slot_proof(storage, s, keys[i]) for i, s in enumerate(slots)],
        }

    @staticmethod
    def _slot_proof(storage: HexaryTrie, slot: int, key: str) -> dict[str, Any]:
        trie_key = keccak(slot.to_bytes(32, "big"))
        raw = storage.get(trie_key)
        return {
            "key": key,
            "value": serialize.q(rlp.decode(raw, sedes=rlp.sedes.big_endian_int) if raw else 0),
            "proof": [serialize.d(rlp.encode(n)) for n in storage.get_proof(trie_key)],
        }

    # --- blocks --------------------------------------------------------------------------------
    def _sealed(self, number: int) -> BlockAPI:
        """A block this chain sealed (callers ask only from ``first_number`` to the head)."""
        block = self.chain.block_by_number(number)
        assert block is not None, f"block {number} is not sealed here"
        return block

    def _block(self, resolved: blocks.Resolved | None, full: Any) -> dict[str, Any] | None:
        if resolved is None:
            return None
        return serialize.block(
            resolved.block, full=params.boolean(full, "hydrated"), senders=self.node.senders
        )

    def block_by_number(self, p: list[Any]) -> dict[str, Any] | None:
        arity("eth_getBlockByNumber", p, 2)
        bid = params.block_id(at(p, 0, "block"), allow_hash=False)
        return self._block(blocks.find(self.chain, bid), at(p, 1, "hydrated"))

    def block_by_hash(self, p: list[Any]) -> dict[str, Any] | None:
        arity("eth_getBlockByHash", p, 2)
        bid = BlockId(hash=params.hash32(at(p, 0, "block hash"), "block hash"))
        return self._block(blocks.find(self.chain, bid), at(p, 1, "hydrated"))

    def _find(self, by_hash: bool, value: Any) -> blocks.Resolved | None:
        if by_hash:
            return blocks.find(self.chain, BlockId(hash=params.hash32(value, "block hash")))
        return blocks.find(self.chain, params.block_id(value, allow_hash=False))

    def _count(self, by_hash: bool, count: Callable[[Any], int]) -> Callable[[list[Any]], Any]:
        def method(p: list[Any]) -> str | None:
            arity("block count", p, 1)
            found = self._find(by_hash, at(p, 0, "block"))
            return serialize.q(count(found.block)) if found is not None else None

        return method

    # --- transactions --------------------------------------------------------------------------
    def transaction_by_hash(self, p: list[Any]) -> dict[str, Any] | None:
        arity("eth_getTransactionByHash", p, 1)
        found = self.chain.locate(params.hash32(at(p, 0, "transaction hash"), "transaction hash"))
        if found is None:
            return None
        sender = self.node.senders.get(found.transaction.hash)
        if found.pending:
            return serialize.transaction(found.transaction, None, None, sender=sender)
        return serialize.transaction(
            found.transaction, found.block.header, found.index, sender=sender
        )

    def _tx_at(self, by_hash: bool) -> Callable[[list[Any]], Any]:
        def method(p: list[Any]) -> dict[str, Any] | None:
            arity("transaction by block and index", p, 2)
            found = self._find(by_hash, at(p, 0, "block"))
            index = params.quantity(at(p, 1, "index"), "transaction index")
            if found is None or index >= len(found.block.transactions):
                return None
            header = None if found.pending else found.block.header
            tx = found.block.transactions[index]
            return serialize.transaction(
                tx,
                header,
                None if found.pending else index,
                sender=self.node.senders.get(tx.hash),
            )

        return method

    def receipt(self, p: list[Any]) -> dict[str, Any] | None:
        arity("eth_getTransactionReceipt", p, 1)
        found = self.chain.locate(params.hash32(at(p, 0, "transaction hash"), "transaction hash"))
        if found is None or found.pending:
            return None
        return serialize.receipts(found.block, self.chain.receipts(found.block), self.node.senders)[
            found.index
        ]

    def block_receipts(self, p: list[Any]) -> list[dict[str, Any]] | None:
        arity("eth_getBlockReceipts", p, 1)
        found = blocks.find(self.chain, params.block_id(at(p, 0, "block")))
        if found is None or found.pending:
            return None
        return serialize.receipts(found.block, self.chain.receipts(found.block), self.node.senders)

    # --- execution -----------------------------------------------------------------------------
    def call(self, p: list[Any]) -> str:
        arity("eth_call", p, 4)
        request = params.tx_request(at(p, 0, "transaction"))
        bid = params.block_id(at(p, 1, "block", required=False))
        return self.execution.call(request, bid, at(p, 2, "state overrides", required=False))

    def estimate_gas(self, p: list[Any]) -> str:
        arity("eth_estimateGas", p, 3)
        request = params.tx_request(at(p, 0, "transaction"))
        bid = params.block_id(at(p, 1, "block", required=False))
        overrides = at(p, 2, "state overrides", required=False)
        return serialize.q(self.execution.estimate(request, bid, overrides))

    def create_access_list(self, p: list[Any]) -> dict[str, Any]:
        arity("eth_createAccessList", p, 2)
        request = params.tx_request(at(p, 0, "transaction"))
        return self.execution.access_list(
            request, params.block_id(at(p, 1, "block", required=False))
        )

    def send_raw_transaction(self, p: list[Any]) -> str:
        arity("eth_sendRawTransaction", p, 1)
        raw = params.data(at(p, 0, "transaction"), "raw transaction")
        if not raw:
            raise invalid_params("invalid raw transaction: it is empty")
        return serialize.d(self.execution.send_raw(raw))

    def send_transaction(self, p: list[Any]) -> str:
        arity("eth_sendTransaction", p, 1)
        return serialize.d(self.execution.send(params.tx_request(at(p, 0, "transaction"))))

    def sign_transaction(self, p: list[Any]) -> dict[str, Any]:
        arity("eth_signTransaction", p, 1)
        raw = self.execution.sign_transaction(params.tx_request(at(p, 0, "transaction")))
        tx = serialize.transaction(self.chain.decode(raw), None, None)
        for key in ("blockHash", "blockNumber", "transactionIndex"):
            tx.pop(key)
        return {"raw": serialize.d(raw), "tx": tx}

    def fill_transaction(self, p: list[Any]) -> dict[str, Any]:
        arity("eth_fillTransaction", p, 1)
        request = params.tx_request(at(p, 0, "transaction"))
        return {"tx": serialize.unsigned(self.execution.fill(request), request.sender)}

    def sign(self, p: list[Any]) -> str:
        arity("eth_sign", p, 2)
        account = params.address(at(p, 0, "address"), "address")
        return self.execution.sign_message(account, params.data(at(p, 1, "message"), "message"))

    def personal_sign(self, p: list[Any]) -> str:
        arity("personal_sign", p, 3)
        message = params.data(at(p, 0, "message"), "message")
        account = params.address(at(p, 1, "address"), "address")
        return self.execution.sign_message(account, message)

    def sign_typed_data(self, p: list[Any]) -> str:
        arity("eth_signTypedData_v4", p, 2)
        account = params.address(at(p, 0, "address"), "address")
        return self.execution.sign_typed_data(account, at(p, 1, "typed data"))

    # --- fees ----------------------------------------------------------------------------------
    def fee_history(self, p: list[Any]) -> dict[str, Any]:
        arity("eth_feeHistory", p, 3)
        raw_count = at(p, 0, "block count")
        count = (
            raw_count
            if isinstance(raw_count, int) and not isinstance(raw_count, bool)
            else params.quantity(raw_count, "block count")
        )
        if not 1 <= count <= 1024:
            raise invalid_params(f"invalid block count {count}: ask for 1..1024 blocks")
        newest_id = params.block_id(at(p, 1, "newest block"), allow_hash=False)
        if newest_id.tag == "pending":
            newest_id = BlockId(tag="latest")
        newest = blocks.require(self.chain, newest_id).block
        percentiles = at(p, 2, "reward percentiles", required=False)
        if percentiles is not None:
            if not isinstance(percentiles, list) or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 100
                for x in percentiles
            ):
                raise invalid_params("invalid reward percentiles: numbers from 0 to 100")
            if any(b < a for a, b in zip(percentiles, percentiles[1:], strict=False)):
                raise invalid_params("invalid reward percentiles: they must be increasing")
        oldest = max(self.chain.first_number, newest.number - count + 1)
        history = [self._sealed(n) for n in range(oldest, newest.number + 1)]
        out: dict[str, Any] = {
            "oldestBlock": serialize.q(oldest),
            "baseFeePerGas": [serialize.q(b.header.base_fee_per_gas or 0) for b in history]
            + [serialize.q(self.chain.next_base_fee())],
            "gasUsedRatio": [b.header.gas_used / b.header.gas_limit for b in history],
            "baseFeePerBlobGas": [serialize.q(_blob_base_fee(b.header)) for b in history]
            + [serialize.q(_blob_base_fee(self.chain.pending_header))],
            "blobGasUsedRatio": [
                (getattr(b.header, "blob_gas_used", 0) or 0) / MAX_BLOB_GAS_PER_BLOCK
                for b in history
            ],
        }
        if percentiles is not None:
            out["reward"] = [self._rewards(b, percentiles) for b in history]
        return out

    def _rewards(self, block: Any, percentiles: list[float]) -> list[str]:
        base = int(block.header.base_fee_per_gas or 0)
        receipts = self.chain.receipts(block)
        tips, previous = [], 0
        for tx, r in zip(block.transactions, receipts, strict=True):
            tips.append((serialize.effective_gas_price(tx, base) - base, r.gas_used - previous))
            previous = r.gas_used
        if not tips:
            return ["0x0" for _ in percentiles]
        tips.sort()
        total = sum(g for _, g in tips)
        out = []
        for pct in percentiles:
            threshold, acc, chosen = total * pct / 100, 0, tips[-1][0]
            for tip, used in tips:
                acc += used
                if acc >= threshold:
                    chosen = tip
                    break
            out.append(serialize.q(max(chosen, 0)))
        return out

    # --- logs and filters ----------------------------------------------------------------------
    def get_logs(self, p: list[Any]) -> list[dict[str, Any]]:
        arity("eth_getLogs", p, 1)
        criteria = params.log_filter(at(p, 0, "filter"))
        if criteria.block_hash is not None:
            found = self.chain.block_by_hash(criteria.block_hash)
            if found is None:
                raise server_error(f"unknown block: 0x{criteria.block_hash.hex()}")
            return list(logs.block_logs(self.chain, found, criteria))
        start, end = blocks.number_range(self.chain, criteria.from_block, criteria.to_block)
        return logs.range_logs(self.chain, criteria, start, end)

    def new_filter(self, p: list[Any]) -> str:
        arity("eth_newFilter", p, 1)
        criteria = params.log_filter(at(p, 0, "filter"))
        if criteria.from_block.number is not None:
            cursor = criteria.from_block.number - 1
        else:
            cursor = self.chain.head.block_number
            if criteria.from_block.tag == "earliest":
                cursor = -1
        return self.node.filters.install("log", cursor, criteria)

    def filter_changes(self, p: list[Any]) -> list[Any]:
        arity("eth_getFilterChanges", p, 1)
        f = self.node.filters.get(at(p, 0, "filter id"))
        head = self.chain.head.block_number
        if f.kind == "pending":
            out, f.queue = f.queue, []
            return out
        start = max(min(f.cursor, head) + 1, self.chain.first_number)
        f.cursor = head
        if f.kind == "block":
            return [serialize.d(self._sealed(n).hash) for n in range(start, head + 1)]
        criteria = f.criteria
        assert criteria is not None
        to = criteria.to_block.number if criteria.to_block.number is not None else head
        return logs.range_logs(self.chain, criteria, start, min(to, head))

    def filter_logs(self, p: list[Any]) -> list[dict[str, Any]]:
        arity("eth_getFilterLogs", p, 1)
        f = self.node.filters.get(at(p, 0, "filter id"))
        if f.criteria is None:
            raise invalid_params("eth_getFilterLogs takes a log filter (one from eth_newFilter)")
        start, end = blocks.number_range(self.chain, f.criteria.from_block, f.criteria.to_block)
        return logs.range_logs(self.chain, f.criteria, start, end)
