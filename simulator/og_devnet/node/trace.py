"""Traces: ``debug_traceTransaction`` and ``debug_traceCall`` with geth's ``callTracer``.

py-evm keeps every call of an execution as a tree of computations (precompile calls at
0x…F4/0x…F5 included: each is a child with its input and output), so a trace is that tree
written as geth writes it. A mined transaction is traced by running its block again up to
it on a throw-away state, with the devnet's log and result store swapped out: a trace
records nothing and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eth.abc import ComputationAPI
from eth.exceptions import Revert

from og_alpha.traces import failing_path
from og_alpha.wire import decode_revert_reason

from ..chain import executed_as
from ..log import InferenceLog, ResultStore
from . import serialize
from .errors import invalid_params
from .execution import Simulation
from .params import BlockId, at, block_id, hash32, tx_request

if TYPE_CHECKING:
    from .core import Node

SUPPORTED = ("callTracer",)


def _kind(computation: ComputationAPI, parent: ComputationAPI | None) -> str:
    msg = computation.msg
    if msg.is_create:
        return "CREATE"
    if parent is not None and msg.storage_address == parent.msg.storage_address:
        return "DELEGATECALL" if not msg.should_transfer_value else "CALLCODE"
    if msg.is_static and (parent is None or not parent.msg.is_static):
        return "STATICCALL"
    return "STATICCALL" if msg.is_static else "CALL"


def frame(
    computation: ComputationAPI,
    parent: ComputationAPI | None = None,
    *,
    only_top: bool = False,
) -> dict[str, Any]:
    """One call frame as geth's callTracer writes it, with its sub-calls."""
    msg = computation.msg
    kind = _kind(computation, parent)
    to = (
        msg.create_address
        if msg.is_create
        else (msg.code_address if kind in ("DELEGATECALL", "CALLCODE") else msg.storage_address)
    )
    out: dict[str, Any] = {
        "type": kind,
        "from": serialize.addr(msg.sender),
        "to": serialize.addr(to) if to else None,
        "value": serialize.q(msg.value) if kind != "STATICCALL" else None,
        "gas": serialize.q(msg.gas),
        "gasUsed": serialize.q(computation.get_gas_used()),
        "input": serialize.d(msg.data_as_bytes if not msg.is_create else msg.code),
    }
    if out["value"] is None:
        del out["value"]
    output = bytes(computation.output)
    if output or not computation.is_error:
        out["output"] = serialize.d(output)
    if computation.is_error:
        error = computation.error
        out["error"] = (
            "execution reverted"
            if isinstance(error, Revert)
            else (str(error) or type(error).__name__)
        )
        if isinstance(error, Revert):
            reason = decode_revert_reason(output)
            if reason:
                out["revertReason"] = reason
    if not only_top and computation.children:
        out["calls"] = [frame(child, computation) for child in computation.children]
    return out


def _tracer(options: Any) -> dict[str, Any]:
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise invalid_params('trace options must be an object, e.g. {"tracer": "callTracer"}')
    tracer = options.get("tracer")
    if tracer not in SUPPORTED:
        raise invalid_params(
            f'tracer {tracer!r} is not supported here; use {{"tracer": "callTracer"}}'
            if tracer is not None
            else 'og devnet traces calls, not opcodes: pass {"tracer": "callTracer"}'
        )
    config = options.get("tracerConfig") or {}
    if not isinstance(config, dict):
        raise invalid_params(
            'tracerConfig must be an object, e.g. {"onlyTopCall": true} for the callTracer'
        )
    return config


class Tracing:
    def __init__(self, node: Node) -> None:
        self.node = node

    def methods(self) -> dict[str, Any]:
        return {
            "debug_traceTransaction": self.trace_transaction,
            "debug_traceCall": self.trace_call,
        }

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Precompile runs record nothing while a trace re-executes them."""
        context = self.node.devnet.context
        saved = context.log, context.results
        context.log, context.results = InferenceLog(), ResultStore()
        try:
            yield
        finally:
            context.log, context.results = saved

    def trace_transaction(self, p: list[Any]) -> dict[str, Any]:
        tx_hash = hash32(at(p, 0, "transaction hash"), "transaction hash")
        config = _tracer(at(p, 1, "options", required=False))
        found = self.node.chain.locate(tx_hash)
        if found is None:
            raise invalid_params(f"transaction 0x{tx_hash.hex()} not found")
        if found.pending:
            raise invalid_params("the transaction is still pending: mine it first")
        computation = self._replay(found.block, found.index)
        trace = frame(computation, only_top=bool(config.get("onlyTopCall")))
        tx = found.transaction
        trace["from"] = serialize.addr(self.node.sender_of(tx))
        trace["gas"] = serialize.q(tx.gas)
        receipts = self.node.chain.receipts(found.block)
        previous = receipts[found.index - 1].gas_used if found.index else 0
        trace["gasUsed"] = serialize.q(receipts[found.index].gas_used - previous)
        return trace

    def _replay(self, block: Any, index: int) -> ComputationAPI:
        chain = self.node.chain
        parent = chain.chain.chaindb.get_block_header_by_hash(block.header.parent_hash)
        header = block.header.copy(state_root=parent.state_root, gas_used=0)
        vm = chain.chain.get_vm(header)
        state = vm.state
        with self._quiet():
            for position, tx in enumerate(block.transactions[: index + 1]):
                executed = executed_as(tx, self.node.senders.get(tx.hash))
                with chain.context.transaction("0x" + tx.hash.hex()):
                    computation = state.apply_transaction(executed)
                if position == index:
                    return computation
        raise AssertionError("unreachable")

    def failure_path(self, transaction_hash: bytes) -> str:
        """Where a mined transaction failed, frame by frame (for reports and errors)."""
        return failing_path(
            self.trace_transaction(["0x" + transaction_hash.hex(), {"tracer": "callTracer"}])
        )

    def trace_call(self, p: list[Any]) -> dict[str, Any]:
        request = tx_request(at(p, 0, "transaction"))
        raw_block = at(p, 1, "block", required=False)
        bid = block_id(raw_block) if raw_block is not None else BlockId(tag="latest")
        options = at(p, 2, "options", required=False)
        config = _tracer(options)
        overrides = (options or {}).get("stateOverrides") if isinstance(options, dict) else None
        with self._quiet():
            sim = Simulation(self.node, request, bid, overrides)
        trace = frame(sim.computation, only_top=bool(config.get("onlyTopCall")))
        trace["from"] = serialize.addr(sim.sender)
        trace["gas"] = serialize.q(sim.computation.msg.gas + sim.intrinsic)
        trace["gasUsed"] = serialize.q(sim.intrinsic + sim.computation.get_gas_used())
        return trace
