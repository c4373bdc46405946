"""Sending transactions the way the public client does, with errors a user can act on.

Legacy transactions (gasPrice, chainId, pending nonce), gas from an estimate made on the same
call data, nonce errors retried, and every failure mapped to an ``OpenGradientError`` that
says what happened and whether anything may have been sent.

The one rule on retries: a transaction that may have reached the node is never followed by a
second, different one. Transports resend (web3's ``HTTPProvider`` retries
``eth_sendRawTransaction`` after a dropped connection), and a node refuses the copy of a
transaction it already holds with a nonce error; so before a nonce error leads to signing
again, the node is asked whether it holds the transaction just sent.
"""

from __future__ import annotations

import http.client
import json
import math
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils import keccak
from web3 import Web3
from web3._utils.error_formatters_utils import raise_contract_logic_error_on_revert
from web3.exceptions import (
    BadResponseFormat,
    ContractLogicError,
    TransactionNotFound,
    Web3Exception,
    Web3RPCError,
)
from web3.types import RPCEndpoint

from .errors import InputError, NetworkError, OpenGradientError, ReceiptTimeout, RevertError
from .receipts import quantity, read_receipt
from .rpc_provider import AnswerOverLimit
from .signing import sign_legacy
from .traces import CALL_TRACER, failing_path
from .wire import decode_revert_reason

NONCE_ERRORS = ("nonce too low", "nonce too high", "invalid nonce")
# What nodes answer when they already hold the very transaction sent again.
ALREADY_KNOWN = ("already known", "alreadyknown", "known transaction")
INFERENCE_TX_TIMEOUT = 120  # seconds; the official SDK's name and value
DEFAULT_RECEIPT_TIMEOUT = float(INFERENCE_TX_TIMEOUT)
RECEIPT_POLL_SECONDS = 0.05
# The request did not complete: it may or may not have reached the node.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.RequestException,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
)
# An answer came, but not one a JSON-RPC client can read (a proxy's error page, a cut body).
UNREADABLE_ERRORS: tuple[type[BaseException], ...] = (
    json.JSONDecodeError,
    UnicodeDecodeError,
    BadResponseFormat,
)
# Whatever asking the node about a sent transaction can end in, besides an answer.
ASKING_ERRORS: tuple[type[BaseException], ...] = (
    *TRANSPORT_ERRORS,
    *UNREADABLE_ERRORS,
    Web3Exception,
    ValueError,
)
NOT_SENT = "nothing was sent"

T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    """A mined transaction: its hash and receipt."""

    transaction_hash: str
    receipt: Any


def revert_details(exc: ContractLogicError) -> tuple[str | None, str | None]:
    """(reason, revert data as ``0x`` hex or None) of a revert raised by web3."""
    raw = exc.data if isinstance(exc.data, str) and exc.data.startswith("0x") else None
    try:
        reason = decode_revert_reason(bytes.fromhex(raw[2:])) if raw else None
    except ValueError:  # not hex after all
        raw, reason = None, None
    if reason is None:
        message = str(exc.message or exc)
        reason = message.removeprefix("execution reverted").lstrip(": ") or None
    return reason, raw


def positive_seconds(name: str, seconds: Any) -> float:
    """``seconds`` as a float, or ``InputError`` naming ``name``: a timeout of zero, a
    negative one or NaN would fail every call, far from where it was set."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise InputError(f"{name} must be a number of seconds, got {type(seconds).__name__}")
    if not (seconds > 0 and math.isfinite(seconds)):
        raise InputError(f"{name} must be > 0 seconds, got {seconds!r}")
    return float(seconds)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None))
        stack.extend(e for e in (*linked, *current.args) if isinstance(e, BaseException))


def _is_any(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(e, kinds) for e in _causes(exc))


def describe_failure(exc: BaseException) -> str:
    """What went wrong with a request, as a predicate: "did not answer in time (timed out)".

    Users act on the kind of failure (wait and check, fix the URL, fix the node), so the kind
    is named rather than the transport's nested exception text.
    """
    if _is_any(exc, (requests.exceptions.Timeout, TimeoutError)):
        return "did not answer in time (timed out)"
    if _is_any(exc, (ConnectionRefusedError,)):
        return "refused the connection (connection refused)"
    if _is_any(exc, (socket.gaierror,)):
        return "could not be found (host name not resolved)"
    if _is_any(exc, (requests.exceptions.SSLError, ssl.SSLError)):
        return "failed the TLS handshake (certificate or TLS error)"
    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        return f"answered HTTP {exc.response.status_code} instead of a JSON-RPC response"
    if _is_any(exc, (requests.exceptions.ChunkedEncodingError, http.client.IncompleteRead)):
        return "closed the connection mid-answer (the answer was cut off)"
    if _is_any(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return "closed the connection without answering (connection dropped)"
    if isinstance(exc, AnswerOverLimit):
        return f"answered with JSON the SDK does not decode: {exc}"
    if isinstance(exc, UNREADABLE_ERRORS):
        return "answered with something that is not a JSON-RPC response"
    if isinstance(exc, Web3RPCError):
        return f"answered with an error ({rpc_message(exc)})"
    return f"could not be reached ({type(exc).__name__})"


def rpc_message(exc: BaseException) -> str:
    """The node's own error message of a JSON-RPC error, else the exception's text."""
    response = getattr(exc, "rpc_response", None)
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        message = response["error"].get("message")
        if message:
            return str(message)
    return str(getattr(exc, "message", None) or exc)


def _may_have_been_sent(
    what: str, problem: str, tx_hash: str, kind: type[NetworkError] = NetworkError
) -> NetworkError:
    return kind(
        f"{what}: {problem}; the transaction {tx_hash} may have been sent: check it before "
        "sending again",
        may_have_been_sent=True,
        transaction_hash=tx_hash,
    )


def wire_tx(tx: dict[str, Any]) -> dict[str, Any]:
    """A transaction dict the SDK built (addresses as 0x strings, bytes, ints) as JSON-RPC
    has it: bytes and ints in hex."""
    out: dict[str, Any] = {}
    for key, value in tx.items():
        if isinstance(value, (bytes, bytearray)):
            out[key] = "0x" + bytes(value).hex()
        elif isinstance(value, int) and not isinstance(value, bool):
            out[key] = hex(value)
        else:
            out[key] = value
    return out


class Transactor:
    """Signs and sends for one account on one ``Web3``."""

    def __init__(
        self, web3: Web3, account: LocalAccount, receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT
    ) -> None:
        self.web3 = web3
        self.account = account
        self.receipt_timeout = receipt_timeout
        self._chain_id: int | None = None
        self._gas_limit: int | None = None

    def __repr__(self) -> str:  # never the key
        return f"<Transactor account={self.account.address}>"

    @property
    def receipt_timeout(self) -> float:
        """Seconds to wait for a sent transaction's receipt before reporting it as unknown."""
        return self._receipt_timeout

    @receipt_timeout.setter
    def receipt_timeout(self, seconds: float) -> None:
        self._receipt_timeout = positive_seconds("receipt_timeout", seconds)

    @property
    def node(self) -> str:
        """The node's scheme://host:port, for messages (never a URL path, which may hold an
        API key)."""
        uri = getattr(self.web3.provider, "endpoint_uri", None)
        if not uri:
            return "the node"
        parts = urlsplit(str(uri))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"the node at {parts.scheme}://{host}{port}"

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.rpc("reading the chain id", lambda: self.web3.eth.chain_id))
        return self._chain_id

    @property
    def block_gas_limit(self) -> int:
        if self._gas_limit is None:
            block = self.rpc(
                "reading the block gas limit", lambda: self.web3.eth.get_block("latest")
            )
            self._gas_limit = int(block["gasLimit"])
        return self._gas_limit

    def rpc(self, what: str, fn: Callable[[], T]) -> T:
        """Run a request that sends no transaction; its failures say that nothing was sent.

        A revert (``ContractLogicError``) passes through for the caller to name.
        """
        try:
            return fn()
        except ContractLogicError:
            raise
        except (*TRANSPORT_ERRORS, *UNREADABLE_ERRORS) as exc:
            raise NetworkError(f"{what}: {self.node} {describe_failure(exc)}; {NOT_SENT}") from None
        except Web3RPCError as exc:
            raise OpenGradientError(
                f"{what}: {self.node} answered with an error ({rpc_message(exc)}); {NOT_SENT}"
            ) from None

    def ask(self, method: str, params: list[Any], *, reverts: bool = False) -> Any:
        """``method`` through the Web3's middleware, ``params`` already as JSON-RPC has them.

        web3's per-method formatters (an ABI walk over each transaction dict, the largest
        cost of an in-process infer outside the node) have nothing to do for what the SDK
        built itself; the middleware (the user's included) still sees every request.
        ``reverts``: a revert raises ``ContractLogicError``, as web3's own method raises it.
        """
        formatters = raise_contract_logic_error_on_revert if reverts else None
        return self.web3.manager.request_blocking(
            RPCEndpoint(method), params, error_formatters=formatters
        )

    def call(self, to: str, data: bytes, error: type[RevertError], what: str) -> bytes:
        """``eth_call`` from this account; a revert raises ``error`` with its reason."""
        try:
            return bytes(
                self.rpc(
                    what,
                    lambda: self.web3.eth.call(
                        {"from": self.account.address, "to": to, "data": data}
                    ),
                )
            )
        except ContractLogicError as exc:
            reason, raw = revert_details(exc)
            raise error(
                f"{what} reverted: {reason or 'no reason given'}", reason=reason, data=raw
            ) from None

    def estimate(self, tx: dict[str, Any], error: type[RevertError], what: str) -> int:
        try:
            return quantity(
                self.rpc(
                    what,
                    lambda: self.ask(
                        "eth_estimateGas",
                        [wire_tx({"from": self.account.address, **tx})],
                        reverts=True,
                    ),
                )
            )
        except ContractLogicError as exc:
            reason, raw = revert_details(exc)
            where = self.failing_path({"from": self.account.address, **tx}) or reason
            raise error(
                f"{what} would revert: {where or 'no reason given'} ({NOT_SENT})",
                reason=reason,
                data=raw,
            ) from None

    def failing_path(self, tx: dict[str, Any]) -> str | None:
        """Where a call reverts, frame by frame, if the node traces (og devnet, anvil, geth
        with the debug API); None where it does not, and nothing else changes."""
        call = wire_tx(tx)
        try:
            response = self.web3.provider.make_request(
                "debug_traceCall",  # type: ignore[arg-type]
                [call, "latest", CALL_TRACER],
            )
        except Exception:  # noqa: BLE001 - tracing is a nicety: any failure means "no trace"
            return None
        trace = response.get("result") if isinstance(response, dict) else None
        if not isinstance(trace, dict) or "error" not in trace:
            return None
        return failing_path(trace)

    def send(
        self,
        tx: dict[str, Any],
        gas: int,
        error: type[RevertError],
        what: str,
        max_retries: int = 5,
    ) -> Sent:
        """Sign, send, wait. Retries nonce errors only, and only when the node does not hold
        the transaction just sent: never a second transaction after one that may have landed."""
        attempts = max(1, int(max_retries) if max_retries is not None else 5)
        gas = min(int(gas), self.block_gas_limit)  # a multiple of the estimate may not fit
        for attempt in range(attempts):
            raw, tx_hash = self._sign(tx, gas, what)
            if self._submit(raw, tx_hash, what, may_retry=attempt + 1 < attempts):
                return Sent(tx_hash, self.wait(tx_hash, error, what))
        raise OpenGradientError(  # pragma: no cover - the last attempt never asks to retry
            f"{what}: nonce errors on all {attempts} attempts"
        )

    def _sign(self, tx: dict[str, Any], gas: int, what: str) -> tuple[bytes, str]:
        """The signed raw transaction at the pending nonce, and its hash computed here: the
        hash is known even if the node never answers."""
        address = self.account.address
        nonce = quantity(
            self.rpc(what, lambda: self.ask("eth_getTransactionCount", [address, "pending"]))
        )
        gas_price = quantity(self.rpc(what, lambda: self.ask("eth_gasPrice", [])))
        full = {
            **tx,
            "nonce": nonce,
            "gas": int(gas),
            "gasPrice": int(gas_price),
            "chainId": self.chain_id,
            "value": tx.get("value", 0),
        }
        raw = sign_legacy(self.account, full)
        if raw is None:
            raw = bytes(self.account.sign_transaction(full).raw_transaction)
        return raw, "0x" + keccak(raw).hex()

    def _submit(self, raw: bytes, tx_hash: str, what: str, *, may_retry: bool) -> bool:
        """Send ``raw``. True: the node holds it. False: refused for its nonce, sign again.

        Raises ``NetworkError`` (may have been sent) when the request did not complete, and
        ``OpenGradientError`` when the node refused the transaction and does not hold it.
        """
        try:
            self.ask("eth_sendRawTransaction", ["0x" + raw.hex()])
            return True
        except (*TRANSPORT_ERRORS, *UNREADABLE_ERRORS) as exc:
            problem = f"{self.node} {describe_failure(exc)} while sending"
            raise _may_have_been_sent(what, problem, tx_hash) from None
        except (Web3Exception, ValueError) as exc:
            message = rpc_message(exc)
        lowered = message.lower()
        if any(k in lowered for k in ALREADY_KNOWN) or self._holds(tx_hash, message, what):
            return True  # a copy sent earlier (by a transport retry) got through
        if may_retry and any(n in lowered for n in NONCE_ERRORS):
            return False
        raise OpenGradientError(
            f"{what}: {self.node} refused the transaction {tx_hash} ({message}); it was not sent"
        )

    def _holds(self, tx_hash: str, refusal: str, what: str) -> bool:
        """Whether the node knows ``tx_hash`` (pending or mined) after refusing a copy."""
        try:
            self.web3.eth.get_transaction(HexStr(tx_hash))
            return True
        except TransactionNotFound:
            return False
        except ASKING_ERRORS as exc:
            problem = (
                f"{self.node} refused a copy of the transaction ({refusal}), then "
                f"{describe_failure(exc)} when asked whether it holds it"
            )
            raise _may_have_been_sent(what, problem, tx_hash) from None

    def wait(self, tx_hash: str, error: type[RevertError], what: str) -> Any:
        """The receipt of a sent transaction (``receipts.read_receipt``'s form), asked for
        every RECEIPT_POLL_SECONDS until ``receipt_timeout``; a revert raises ``error``."""
        deadline = time.monotonic() + self.receipt_timeout
        while True:
            try:
                raw = self.ask("eth_getTransactionReceipt", [tx_hash])
                receipt = read_receipt(raw) if raw is not None else None
            except ASKING_ERRORS as exc:
                problem = f"{self.node} {describe_failure(exc)} while waiting for the receipt"
                raise _may_have_been_sent(what, problem, tx_hash) from None
            if receipt is not None:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                problem = f"no receipt from {self.node} within {self.receipt_timeout:g} s"
                raise _may_have_been_sent(what, problem, tx_hash, ReceiptTimeout) from None
            time.sleep(min(RECEIPT_POLL_SECONDS, left))
        if receipt["status"] != 1:
            raise error(
                f"{what}: transaction {tx_hash} reverted on chain", transaction_hash=tx_hash
            )
        return receipt
