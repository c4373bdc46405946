"""The node core: ONE JSON-RPC dispatcher for the in-process provider and the server.

A method table (``eth``, dev and ``og`` methods) over the devnet; the JSON-RPC 2.0 envelope
exactly (version, ids echoed, notifications unanswered, batches); one lock, because the EVM
is single-threaded; and the journal hook: a call that changed state is journaled before its
answer leaves. Transports only move bytes: HTTP hands over bodies, the in-process provider
hands over parsed requests (it skips only the JSON text).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eth.abc import SignedTransactionAPI
from eth_utils import ValidationError, to_canonical_address

from og_alpha import jsonsafe

from ..errors import DevnetError
from . import serialize
from .blocks import StateCache
from .dev import Dev
from .errors import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RpcError,
    server_error,
    without_reprs,
)
from .eth import Eth
from .execution import Execution
from .logs import Filters
from .og import Og
from .state_methods import StateMethods
from .trace import Tracing

if TYPE_CHECKING:
    from ..devnet import Devnet
    from ..journal import Journal

MAX_BATCH = 1000
_ABSENT = object()

# Calls that change state: journaled, and replayed in order on restart.
_BOTH = [
    "mine",
    "setBalance",
    "setCode",
    "setNonce",
    "setStorageAt",
    "impersonateAccount",
    "stopImpersonatingAccount",
    "setCoinbase",
    "setNextBlockBaseFeePerGas",
    "dropTransaction",
    "reset",
]
# Reads answered in microseconds from what the node keeps (see Node.answer_now).
QUICK = frozenset(
    {
        "eth_chainId",
        "net_version",
        "web3_clientVersion",
        "eth_blockNumber",
        "eth_gasPrice",
        "eth_maxPriorityFeePerGas",
        "eth_accounts",
        "eth_getTransactionCount",
        "eth_getBalance",
        "eth_getCode",
        "eth_getTransactionReceipt",
        "eth_getTransactionByHash",
    }
)
QUICK_BODY = 2048  # bytes: a quick read's request is small
NOT_NOW = object()

MUTATING = frozenset(
    {
        "eth_sendRawTransaction",
        "eth_sendTransaction",
        "eth_sendUnsignedTransaction",
        "evm_mine",
        "evm_increaseTime",
        "anvil_increaseTime",
        "evm_setNextBlockTimestamp",
        "anvil_setNextBlockTimestamp",
        "anvil_setBlockTimestampInterval",
        "anvil_removeBlockTimestampInterval",
        "evm_snapshot",
        "evm_revert",
        "anvil_snapshot",
        "anvil_revert",
        "evm_setAutomine",
        "anvil_setAutomine",
        "evm_setBlockGasLimit",
        "anvil_setBlockGasLimit",
        "anvil_autoImpersonateAccount",
        "anvil_dropAllTransactions",
        "anvil_loadState",
        *(f"{prefix}_{name}" for name in _BOTH for prefix in ("anvil", "hardhat")),
        "og_addModel",
        "og_setCandles",
        "og_advanceTime",
        "og_setResultsViaApi",
        "og_failModel",
        "og_setOutput",
        "og_priceGap",
        "og_clearFaults",
    }
)
# Interval mining is wall-clock driven: its blocks are journaled as the evm_mine calls they
# are, so a restart does not depend on timing.


class Node:
    """Answers JSON-RPC requests against one Devnet, one call at a time."""

    def __init__(self, devnet: Devnet) -> None:
        self.devnet = devnet
        self.chain = devnet.chain
        self.filters = Filters()
        self.lock = threading.RLock()
        self.journal: Journal | None = None
        # Hardhat 3's network helpers run only against clients named hardhat, anvil or zksync,
        # then call that prefix's dev methods: this node implements anvil's.
        self.client_version = "anvil/v1.7.1 og-devnet/0.2.0"
        self.execution = Execution(self)
        self.states = StateCache()
        self.automine = True
        self.impersonated: set[bytes] = set()
        self.auto_impersonate = False
        # Transactions sent as impersonated accounts: hash -> the account they ran as.
        self.senders: dict[bytes, bytes] = {}
        # Called with each transaction hash accepted into the pending block.
        self.transaction_listeners: list[Callable[[bytes], None]] = [self.filters.on_transaction]
        self.tracing = Tracing(self)
        self.dev = Dev(self)
        self._methods: dict[str, Callable[[list[Any]], Any]] = {
            **Eth(self).methods(),
            **self.dev.methods(),
            **StateMethods(self).methods(),
            **Og(self).methods(),
            **self.tracing.methods(),
            "eth_subscribe": _needs_websocket,
            "eth_unsubscribe": _needs_websocket,
        }

    # --- accounts ------------------------------------------------------------------------------
    def accounts(self) -> list[bytes]:
        return [to_canonical_address(a.address) for a in self.devnet.accounts]

    def key_for(self, account: bytes | None) -> bytes:
        for local in self.devnet.accounts:
            if to_canonical_address(local.address) == account:
                return bytes(local.key)
        shown = serialize.addr(account) if account else "(none)"
        raise server_error(
            f"no key for {shown}: this node signs only for its dev accounts (eth_accounts) "
            "and impersonated ones (anvil_impersonateAccount); sign the transaction yourself "
            "and use eth_sendRawTransaction"
        )

    def is_impersonated(self, account: bytes | None) -> bool:
        return account is not None and (self.auto_impersonate or account in self.impersonated)

    def sender_of(self, tx: SignedTransactionAPI) -> bytes:
        """Who a transaction ran as: its signer, or the account it impersonated."""
        return self.senders.get(tx.hash) or tx.sender

    # --- changes -------------------------------------------------------------------------------
    def submit(self, tx: SignedTransactionAPI, sender: bytes | None = None) -> bytes:
        """Apply a checked transaction and mine it (automine); ``sender`` runs it as an
        impersonated account."""
        if not self.chain.has_pending_transactions():
            self.devnet.scheduler.catch_up(self.chain.pending_header.timestamp)
        tx_hash = self.accept(tx, sender)
        if self.automine:
            self.chain.mine()
        return tx_hash

    def accept(self, tx: SignedTransactionAPI, sender: bytes | None = None) -> bytes:
        """Apply a checked transaction to the pending block and announce it; its hash.

        The hash is taken once: py-evm hashes the whole encoding on every ``tx.hash``, and an
        inference's call data can be megabytes."""
        tx_hash = tx.hash
        if sender is not None:
            self.senders[tx_hash] = sender
        try:
            self.chain.apply(tx, sender)
        except ValidationError as exc:
            raise server_error(without_reprs(str(exc))) from None
        for listener in self.transaction_listeners:
            listener(tx_hash)
        return tx_hash

    # --- one call ------------------------------------------------------------------------------
    def request(self, method: str, params: Any = None, *, journal: bool = True) -> Any:
        """Run one method (params as JSON gives them); raises RpcError."""
        if params is None:
            params = []
        if not isinstance(params, list):
            raise RpcError(
                INVALID_PARAMS, f"{method}: params must be an array (positional parameters)"
            )
        handler = self._methods.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
        journaled = journal and self.journal is not None and method in MUTATING
        with self.lock:
            before = self.devnet.snapshot() if journaled else None
            try:
                result = handler(params)
            except RpcError:
                raise
            except DevnetError as exc:
                raise server_error(str(exc)) from None
            except ValidationError as exc:
                raise server_error(without_reprs(str(exc))) from None
            except Exception as exc:  # noqa: BLE001 - a bug must not take the node down
                raise RpcError(
                    INTERNAL_ERROR,
                    f"internal error in {method}: {type(exc).__name__}: {without_reprs(str(exc))}",
                ) from None
            if journaled:
                self._journal(method, params, result, before)
            return result

    def _journal(self, method: str, params: list[Any], result: Any, before: Any) -> None:
        """Make the call durable before it is acknowledged; if it cannot be written, undo
        it: an answer that was never journaled must not leave a change behind."""
        assert self.journal is not None
        try:
            self.journal.append(method, params, result)
        except OSError as exc:
            self.devnet.revert(before)
            raise server_error(
                f"{method} was not applied: the state journal could not be written "
                f"({exc.strerror or exc}); free disk space or fix the --state file, then retry"
            ) from None

    # --- the envelope --------------------------------------------------------------------------
    def handle(self, request: Any) -> dict[str, Any] | None:
        """One parsed request object to its response (None for a notification)."""
        return answer(request, self.request)

    def answer_now(self, body: bytes) -> bytes | None | object:
        """``handle_body(body)`` when ``body`` is one quick read (QUICK), or a small batch of
        them (a client asking for its nonce and the gas price at once), and the node is free
        at this instant; ``NOT_NOW`` otherwise. The server calls it on its event loop: a read
        that takes microseconds need not go to a worker thread and back (the hop costs more
        than the read), and a busy node is never waited for there."""
        if len(body) > QUICK_BODY or not self.lock.acquire(blocking=False):
            return NOT_NOW
        try:
            try:
                request = jsonsafe.loads(body)
            except ValueError:
                return NOT_NOW  # the worker answers the parse error
            batch = request if isinstance(request, list) else [request]
            if not 0 < len(batch) <= MAX_BATCH or not all(
                isinstance(r, dict) and r.get("method") in QUICK for r in batch
            ):
                return NOT_NOW
            return self._respond(request)
        finally:
            self.lock.release()

    def handle_body(self, body: bytes) -> bytes | None:
        """A request body (single or batch) to a response body (None: nothing to answer)."""
        try:
            request = jsonsafe.loads(body)
        except jsonsafe.JSONLimitError as exc:
            return dump(error_response(None, PARSE_ERROR, f"parse error: {exc}"))
        except (ValueError, UnicodeDecodeError) as exc:
            return dump(
                error_response(None, PARSE_ERROR, f"parse error: {without_reprs(str(exc))}")
            )
        return self._respond(request)

    def _respond(self, request: Any) -> bytes | None:
        """A parsed request (single or batch) to a response body."""
        if isinstance(request, list):
            if not request:
                return dump(error_response(None, INVALID_REQUEST, "invalid request: empty batch"))
            if len(request) > MAX_BATCH:
                return dump(
                    error_response(
                        None,
                        INVALID_REQUEST,
                        f"invalid request: batch of {len(request)} exceeds the limit of {MAX_BATCH}",
                    )
                )
            answers = [a for a in (self.handle(r) for r in request) if a is not None]
            return dump(answers) if answers else None
        answer = self.handle(request)
        return None if answer is None else dump(answer)


def _needs_websocket(params: list[Any]) -> Any:
    raise RpcError(
        METHOD_NOT_FOUND,
        "notifications not supported: eth_subscribe needs a WebSocket connection (ws:// on "
        "og devnet's port); in-process, poll with eth_newFilter / eth_getFilterChanges",
    )


def answer(request: Any, call: Callable[[str, Any], Any]) -> dict[str, Any] | None:
    """The JSON-RPC 2.0 envelope around ``call(method, params)``: the request checked, the id
    echoed, errors as error objects, notifications (no id) never answered. The server's
    subscription methods go through the same envelope with their own ``call``."""
    if not isinstance(request, dict):
        return error_response(None, INVALID_REQUEST, "invalid request: expected a JSON object")
    request_id = request.get("id", _ABSENT)
    if request_id is not _ABSENT and not _valid_id(request_id):
        return error_response(
            None, INVALID_REQUEST, "invalid request: id must be a string, number or null"
        )
    echo = None if request_id is _ABSENT else request_id
    if request.get("jsonrpc") != "2.0":
        return error_response(echo, INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"')
    method = request.get("method")
    if not isinstance(method, str):
        return error_response(echo, INVALID_REQUEST, "invalid request: method must be a string")
    try:
        result = call(method, request.get("params", []))
    except RpcError as exc:
        if request_id is _ABSENT:
            return None
        return {"jsonrpc": "2.0", "id": request_id, "error": exc.to_json()}
    if request_id is _ABSENT:
        return None
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def _valid_id(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, str)
        or (isinstance(value, (int, float)) and not isinstance(value, bool))
    )


def error_response(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
