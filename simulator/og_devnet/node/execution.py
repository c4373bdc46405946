"""Running and sending transactions: eth_call, eth_estimateGas, eth_createAccessList,
eth_sendRawTransaction, eth_sendTransaction and signing with the unlocked dev accounts.

Calls and estimates without fee fields are priced at zero and allowed from any address,
funded or not, and ignore a ``nonce`` (as geth and anvil do). Transactions are checked the
way geth's pool checks them, with geth's wording, before anything changes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from eth.abc import ComputationAPI, SignedTransactionAPI, StateAPI
from eth.exceptions import OutOfGas
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_typing import Address
from eth_utils import ValidationError, keccak

from . import blocks, serialize
from .errors import execution_error, invalid_params, server_error
from .params import BlockId, TxRequest, state_overrides

if TYPE_CHECKING:
    from .core import Node

ZERO_ADDRESS = Address(b"\x00" * 20)
DEFAULT_PRIORITY_FEE = 10**9
# Precompiles are warm from the start, so an access list never names them (nor does geth's).
_PRECOMPILES = {i.to_bytes(20, "big") for i in range(1, 0x12)} | {
    bytes.fromhex("00" * 19 + "f4"),
    bytes.fromhex("00" * 19 + "f5"),
}


def _apply_overrides(state: StateAPI, raw: Any) -> None:
    for account, o in state_overrides(raw).items():
        if o.balance is not None:
            state.set_balance(account, o.balance)
        if o.nonce is not None:
            state.set_nonce(account, o.nonce)
        if o.code is not None:
            state.set_code(account, o.code)
        if o.state is not None:
            state.delete_storage(account)
            for slot, value in o.state.items():
                state.set_storage(account, slot, value)
        if o.state_diff is not None:
            for slot, value in o.state_diff.items():
                state.set_storage(account, slot, value)


class Simulation:
    """One execution of a call object on a throw-away state."""

    def __init__(
        self,
        node: Node,
        request: TxRequest,
        bid: BlockId,
        overrides: Any = None,
        recorder: set[tuple[bytes, int | None]] | None = None,
    ) -> None:
        chain = node.chain
        state, resolved = blocks.state(chain, bid, node.states)
        with blocks.StateCache.scratch(state):
            try:
                self._run(node, state, resolved, request, overrides, recorder)
            finally:
                if recorder is not None:  # the kept state gets its own methods back
                    del state.mark_address_warm, state.mark_storage_warm

    def _run(
        self,
        node: Node,
        state: StateAPI,
        resolved: blocks.Resolved,
        request: TxRequest,
        overrides: Any,
        recorder: set[tuple[bytes, int | None]] | None,
    ) -> None:
        chain = node.chain
        _apply_overrides(state, overrides)
        header = resolved.block.header
        self.cap = header.gas_limit
        sender = request.sender or ZERO_ADDRESS
        gas = min(request.gas, self.cap) if request.gas is not None else self.cap
        price = 0
        if request.priced:
            base = int(getattr(header, "base_fee_per_gas", 0) or 0)
            if request.gas_price is not None:
                price = request.gas_price
            else:
                tip = request.max_priority_fee_per_gas or 0
                fee_cap = request.max_fee_per_gas
                price = min(fee_cap, base + tip) if fee_cap is not None else base + tip
        balance = state.get_balance(sender)
        cost = gas * price + request.value
        if cost > balance:
            raise server_error(
                f"insufficient funds for gas * price + value: address "
                f"{serialize.addr(sender)} have {balance} want {cost}"
            )
        tx = chain.unsigned(
            state,
            sender,
            request.to or b"",
            gas,
            price,
            request.value,
            request.data,
            request.access_list,
        )
        self.intrinsic = tx.intrinsic_gas
        if gas < self.intrinsic:
            raise server_error(f"intrinsic gas too low: have {gas}, want {self.intrinsic}")
        if recorder is not None:
            _record_access(state, recorder)
        self.sender, self.to = sender, request.to
        self.computation: ComputationAPI = chain.execute(state, tx)

    def result(self) -> bytes:
        if self.computation.is_error:
            raise execution_error(self.computation.error)
        return bytes(self.computation.output)


def _record_access(state: StateAPI, seen: set[tuple[bytes, int | None]]) -> None:
    """Note every address and slot the execution warms (what an access list would name)."""
    mark_address, mark_storage = state.mark_address_warm, state.mark_storage_warm

    def address_warm(address: Address) -> None:
        seen.add((address, None))
        mark_address(address)

    def storage_warm(address: Address, slot: int) -> None:
        seen.add((address, slot))
        mark_storage(address, slot)

    state.mark_address_warm = address_warm  # type: ignore[method-assign]
    state.mark_storage_warm = storage_warm  # type: ignore[method-assign]


class Execution:
    def __init__(self, node: Node) -> None:
        self.node = node

    # --- simulations -------------------------------------------------------------------------
    def call(self, request: TxRequest, bid: BlockId, overrides: Any = None) -> str:
        return serialize.d(Simulation(self.node, request, bid, overrides).result())

    def estimate(self, request: TxRequest, bid: BlockId, overrides: Any = None) -> int:
        sim = Simulation(self.node, request, bid, overrides)
        computation = sim.computation
        if computation.is_error:
            if isinstance(computation.error, OutOfGas):
                raise server_error(f"gas required exceeds allowance ({sim.cap})")
            raise execution_error(computation.error)
        return _gas_needed(sim)

    def access_list(self, request: TxRequest, bid: BlockId) -> dict[str, Any]:
        seen: set[tuple[bytes, int | None]] = set()
        first = Simulation(self.node, request, bid, recorder=seen)
        excluded = _PRECOMPILES | {first.sender, self.node.chain.coinbase}
        if first.to is not None:
            excluded.add(first.to)
        elif first.computation.msg.storage_address:
            excluded.add(first.computation.msg.storage_address)
        slots: dict[bytes, set[int]] = {}
        for address, slot in seen:
            if address in excluded:
                continue
            keys = slots.setdefault(address, set())
            if slot is not None:
                keys.add(slot)
        entries = [(a, sorted(k)) for a, k in sorted(slots.items())]
        with_list = TxRequest(**{**request.__dict__, "access_list": entries})
        second = Simulation(self.node, with_list, bid)
        out: dict[str, Any] = {
            "accessList": [
                {"address": serialize.addr(a), "storageKeys": [serialize.h32(k) for k in keys]}
                for a, keys in entries
            ],
            "gasUsed": serialize.q(second.intrinsic + second.computation.get_gas_used()),
        }
        if second.computation.is_error:
            out["error"] = execution_error(second.computation.error).message
        return out

    # --- sending -----------------------------------------------------------------------------
    def send_raw(self, raw: bytes) -> bytes:
        return self.node.submit(self.decode_checked(raw))

    def decode_checked(self, raw: bytes) -> SignedTransactionAPI:
        """A raw transaction decoded and checked against the pending block."""
        try:
            tx = self.node.chain.decode(raw)
            sender = tx.sender
        except Exception as exc:  # noqa: BLE001 - rlp and py-evm raise several kinds
            raise invalid_params(
                f"invalid raw transaction: cannot decode it ({type(exc).__name__})"
            ) from None
        self._check(tx, sender)
        return tx

    def _check(self, tx: SignedTransactionAPI, sender: Address) -> None:
        """geth's pool checks, in its order and words; nothing changes on a refusal."""
        chain = self.node.chain
        chain_id = getattr(tx, "chain_id", None)
        # a legacy transaction (type 0) has v; SignedTransactionAPI does not declare it
        if chain_id is None and tx.type_id in (None, 0) and tx.v >= 35:  # type: ignore[attr-defined]
            chain_id = (tx.v - 35) // 2  # type: ignore[attr-defined]
        if chain_id is not None and chain_id != chain.chain_id:
            raise server_error(
                f"invalid chain id {chain_id}: this devnet is chain {chain.chain_id}; sign "
                "with the chain id eth_chainId returns"
            )
        header = chain.pending_header
        state, _ = blocks.state(chain, BlockId(tag="pending"), self.node.states)
        expected = state.get_nonce(sender)
        if tx.nonce < expected:
            raise server_error(f"nonce too low: next nonce {expected}, tx nonce {tx.nonce}")
        if tx.nonce > expected:
            raise server_error(
                f"nonce too high: next nonce {expected}, tx nonce {tx.nonce} (this devnet "
                "mines each transaction at once and keeps no queue)"
            )
        if tx.gas > header.gas_limit - header.gas_used:
            raise server_error(
                f"exceeds block gas limit: gas {tx.gas}, block gas limit {header.gas_limit}"
            )
        base = int(getattr(header, "base_fee_per_gas", 0) or 0)
        max_fee = tx.gas_price if tx.type_id in (None, 0, 1) else tx.max_fee_per_gas
        if max_fee < base:
            raise server_error(
                f"max fee per gas less than block base fee: address {serialize.addr(sender)}, "
                f"maxFeePerGas: {max_fee}, baseFee: {base}"
            )
        if tx.gas < tx.intrinsic_gas:
            raise server_error(
                f"intrinsic gas too low: gas {tx.gas}, minimum needed {tx.intrinsic_gas}"
            )
        balance = state.get_balance(sender)
        cost = tx.gas * max_fee + tx.value
        if balance < cost:
            raise server_error(
                f"insufficient funds for gas * price + value: address {serialize.addr(sender)} "
                f"have {balance} want {cost}"
            )
        try:
            tx.validate()
        except ValidationError as exc:
            raise server_error(f"invalid transaction: {exc}") from None

    def fill(self, request: TxRequest) -> dict[str, Any]:
        """A transaction to sign from a request: nonce, gas and fees filled as anvil does."""
        node = self.node
        if request.sender is None:
            raise invalid_params('invalid transaction: "from" is required to send')
        chain = node.chain
        pending = BlockId(tag="pending")
        tx: dict[str, Any] = {
            "chainId": chain.chain_id,
            "value": request.value,
            "data": request.data,
        }
        if request.to is not None:
            tx["to"] = serialize.addr(request.to)
        if request.chain_id is not None and request.chain_id != chain.chain_id:
            raise invalid_params(
                f"invalid transaction: chainId {request.chain_id}; this devnet is chain "
                f"{chain.chain_id}"
            )
        tx["nonce"] = (
            request.nonce
            if request.nonce is not None
            else blocks.state(chain, pending, self.node.states)[0].get_nonce(request.sender)
        )
        if request.gas_price is not None:
            tx["gasPrice"] = request.gas_price
        else:
            tip = (
                request.max_priority_fee_per_gas
                if request.max_priority_fee_per_gas is not None
                else DEFAULT_PRIORITY_FEE
            )
            fee_cap = request.max_fee_per_gas
            if fee_cap is None:
                fee_cap = 2 * chain.pending_base_fee() + tip
            tx["maxFeePerGas"], tx["maxPriorityFeePerGas"] = fee_cap, min(tip, fee_cap)
        if request.access_list is not None:
            tx["accessList"] = [
                {"address": serialize.addr(a), "storageKeys": [serialize.h32(k) for k in keys]}
                for a, keys in request.access_list
            ]
        tx["gas"] = (
            request.gas
            if request.gas is not None
            else self.estimate(
                TxRequest(
                    **{
                        **request.__dict__,
                        "gas_price": None,
                        "max_fee_per_gas": None,
                        "max_priority_fee_per_gas": None,
                    }
                ),
                pending,
            )
        )
        return tx

    def sign_transaction(self, request: TxRequest) -> bytes:
        key = self.node.key_for(request.sender)
        return bytes(Account.sign_transaction(self.fill(request), key).raw_transaction)

    def send(self, request: TxRequest) -> bytes:
        if request.sender is not None and self.node.is_impersonated(request.sender):
            try:
                self.node.key_for(request.sender)
            except Exception:  # noqa: BLE001 - not a dev account: impersonate it
                return self.send_impersonated(request)
        return self.send_raw(self.sign_transaction(request))

    def send_impersonated(self, request: TxRequest) -> bytes:
        """Run as ``request.sender`` without its key (anvil_impersonateAccount): signed by a
        key derived from the address, so the hash is deterministic, and executed as the
        impersonated account."""
        sender = request.sender
        assert sender is not None
        key = keccak(b"og-devnet:impersonate:" + sender)
        raw = bytes(Account.sign_transaction(self.fill(request), key).raw_transaction)
        tx = self.node.chain.decode(raw)
        self._check(tx, sender)
        return self.node.submit(tx, sender)

    # --- message signing ---------------------------------------------------------------------
    def sign_message(self, account: bytes, message: bytes) -> str:
        signed = Account.sign_message(encode_defunct(primitive=message), self.node.key_for(account))
        return serialize.d(signed.signature)

    def sign_typed_data(self, account: bytes, typed: Any) -> str:
        if isinstance(typed, str):
            try:
                typed = json.loads(typed)
            except ValueError:
                raise invalid_params("invalid typed data: not a JSON document") from None
        if not isinstance(typed, dict):
            raise invalid_params("invalid typed data: expected an EIP-712 object")
        try:
            message = encode_typed_data(full_message=typed)
        except Exception as exc:  # noqa: BLE001 - eth-account raises several kinds
            raise invalid_params(f"invalid typed data: {exc}") from None
        signed = Account.sign_message(message, self.node.key_for(account))
        return serialize.d(signed.signature)


def _gas_needed(sim: Simulation) -> int:
    from ..chain import gas_needed

    return gas_needed(sim.intrinsic, sim.computation, sim.cap)


def sha3(value: bytes) -> str:
    return serialize.d(keccak(value))
