"""Sending transactions the way the public client does, with errors a user can act on.

Legacy transactions (gasPrice, chainId, pending nonce), gas from an estimate made on the same
call data, nonce errors retried, and every failure mapped to an ``OpenGradientError`` that
says whether anything may have been sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception

from .errors import NetworkError, OpenGradientError, RevertError
from .wire import decode_revert_reason

NONCE_ERRORS = ("nonce too low", "nonce too high", "invalid nonce")
DEFAULT_RECEIPT_TIMEOUT = 120.0
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
    TimeoutError,
)


@dataclass(frozen=True)
class Sent:
    """A mined transaction: its hash and receipt."""

    transaction_hash: str
    receipt: Any


def revert_details(exc: ContractLogicError) -> tuple[str | None, bytes]:
    """(reason, raw data) of a revert raised by web3."""
    raw = exc.data if isinstance(exc.data, str) else None
    data = bytes.fromhex(raw[2:]) if raw and raw.startswith("0x") else b""
    reason = decode_revert_reason(data)
    if reason is None:
        message = str(exc.message or exc)
        reason = message.removeprefix("execution reverted").lstrip(": ") or None
    return reason, data


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

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._rpc("eth_chainId", lambda: self.web3.eth.chain_id))
        return self._chain_id

    @property
    def block_gas_limit(self) -> int:
        if self._gas_limit is None:
            block = self._rpc("eth_getBlockByNumber", lambda: self.web3.eth.get_block("latest"))
            self._gas_limit = int(block["gasLimit"])
        return self._gas_limit

    def _rpc(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except _CONNECTION_ERRORS as exc:
            raise NetworkError(f"{what}: node unreachable ({exc}); nothing was sent") from None

    def call(self, to: str, data: bytes, error: type[RevertError], what: str) -> bytes:
        """``eth_call`` from this account; a revert raises ``error`` with its reason."""
        try:
            return bytes(
                self._rpc(
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
            return int(
                self._rpc(
                    what, lambda: self.web3.eth.estimate_gas({"from": self.account.address, **tx})
                )
            )
        except ContractLogicError as exc:
            reason, raw = revert_details(exc)
            raise error(
                f"{what} would revert: {reason or 'no reason given'} (nothing was sent)",
                reason=reason,
                data=raw,
            ) from None

    def send(
        self,
        tx: dict[str, Any],
        gas: int,
        error: type[RevertError],
        what: str,
        max_retries: int = 5,
    ) -> Sent:
        """Sign, send, wait. Retries nonce errors only; never resends a transaction that may
        have reached the node."""
        attempts = max(1, int(max_retries) if max_retries is not None else 5)
        gas = min(int(gas), self.block_gas_limit)  # a multiple of the estimate may not fit
        for attempt in range(attempts):
            nonce = self._rpc(
                what, lambda: self.web3.eth.get_transaction_count(self.account.address, "pending")
            )
            gas_price = self._rpc(what, lambda: self.web3.eth.gas_price)
            signed = self.account.sign_transaction(
                {
                    **tx,
                    "nonce": nonce,
                    "gas": int(gas),
                    "gasPrice": int(gas_price),
                    "chainId": self.chain_id,
                    "value": tx.get("value", 0),
                }
            )
            raw = bytes(signed.raw_transaction)
            tx_hash = "0x" + keccak(raw).hex()
            try:
                self.web3.eth.send_raw_transaction(raw)
            except _CONNECTION_ERRORS as exc:
                raise NetworkError(
                    f"{what}: connection failed while sending ({exc}); the transaction "
                    f"{tx_hash} may have been sent: check it before sending again",
                    may_have_been_sent=True,
                    transaction_hash=tx_hash,
                ) from None
            except (Web3Exception, ValueError) as exc:
                message = str(exc)
                if any(n in message.lower() for n in NONCE_ERRORS) and attempt + 1 < attempts:
                    continue
                raise OpenGradientError(
                    f"{what}: the node refused the transaction: {message}"
                ) from None
            return Sent(tx_hash, self.wait(tx_hash, error, what))
        raise OpenGradientError(
            f"{what}: nonce errors on all {attempts} attempts"
        )  # pragma: no cover

    def wait(self, tx_hash: str, error: type[RevertError], what: str) -> Any:
        try:
            receipt = self.web3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=self.receipt_timeout, poll_latency=0.05
            )
        except TimeExhausted:
            raise NetworkError(
                f"{what}: no receipt for {tx_hash} within {self.receipt_timeout:g} s; it may "
                "still be mined: check it before sending again",
                may_have_been_sent=True,
                transaction_hash=tx_hash,
            ) from None
        except _CONNECTION_ERRORS as exc:
            raise NetworkError(
                f"{what}: connection lost waiting for {tx_hash} ({exc}); it was sent",
                may_have_been_sent=True,
                transaction_hash=tx_hash,
            ) from None
        if receipt["status"] != 1:
            raise error(
                f"{what}: transaction {tx_hash} reverted on chain", transaction_hash=tx_hash
            )
        return receipt
