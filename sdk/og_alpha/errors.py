"""The SDK's exception hierarchy: ours and web3's at once.

Every failure a user can meet through ``og_alpha`` is an :class:`OpenGradientError`, so one
``except`` clause catches them all, and the subclasses say *where* it failed, which tells the
user whether anything reached the chain.

Each error is also the web3 exception that the API reference and the official SDK promise, so
code written for the official client keeps catching what it caught there:

- ``OpenGradientError`` is a ``web3.exceptions.Web3Exception``: nothing the SDK raises is
  outside web3's tree (``except Web3Exception`` is the reference's "Web3Error");
- a revert (``InferenceError``, ``WorkflowError``) is a ``ContractLogicError``, whose
  ``message`` and ``data`` (the revert data as ``0x`` hex, or None) it carries as web3 does;
- a receipt that does not come in time is a ``TimeExhausted`` (``ReceiptTimeout``);
- bad input is a ``ValueError`` (``InputError`` is a ``Web3ValueError``).
"""

from __future__ import annotations

from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception, Web3ValueError


class OpenGradientError(Web3Exception):
    """Base class of every error raised by the SDK (and by the devnet's controls).

    ``str(error)`` and ``error.message`` are the one message, whatever the web3 base class
    keeps in ``args``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.args = (message,)  # web3's ContractLogicError would keep (message, data)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(OpenGradientError, Web3ValueError):
    """The input was refused before anything was sent (bad tensor, bad argument).

    ``tensor`` names the offending model-input tensor when there is one.
    """

    def __init__(self, message: str, *, tensor: str | None = None) -> None:
        super().__init__(message)
        self.tensor = tensor


class ConfigurationError(OpenGradientError, Web3ValueError):
    """The network configuration (URL, key, addresses) is missing or unsafe: a ``ValueError``
    too, as a malformed key is in the official SDK."""


# ContractLogicError's message may be None; OpenGradientError always sets a str.
class RevertError(OpenGradientError, ContractLogicError):  # type: ignore[misc]
    """The chain refused the call: simulation or transaction reverted.

    A ``ContractLogicError`` as web3 raises it: ``data`` is the raw revert data as ``0x`` hex
    (None when the node gave none). ``reason`` is the decoded ``Error(string)`` reason (or
    ``None``); ``transaction_hash`` is set when a transaction was mined and reverted (``None``
    means the simulation reverted and nothing was sent).
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        data: str | None = None,
        transaction_hash: str | None = None,
    ) -> None:
        super().__init__(message)
        self.data = data
        self.reason = reason
        self.transaction_hash = transaction_hash


class InferenceError(RevertError):
    """An inference reverted (unknown model, wrong input, model failure)."""


class WorkflowError(RevertError):
    """A workflow call failed: no workflow at the address, a reverted run or deployment, a
    failed registration. ``reason`` is set when the chain gave one."""


class NetworkError(OpenGradientError):
    """The node could not be reached or did not answer.

    ``may_have_been_sent`` is true when a transaction may have reached the node before the
    failure, so the caller must check (by ``transaction_hash``) before sending again.
    """

    def __init__(
        self,
        message: str,
        *,
        may_have_been_sent: bool = False,
        transaction_hash: str | None = None,
    ) -> None:
        super().__init__(message)
        self.may_have_been_sent = may_have_been_sent
        self.transaction_hash = transaction_hash


class ReceiptTimeout(NetworkError, TimeExhausted):
    """A sent transaction's receipt did not come within ``receipt_timeout``: web3's
    ``TimeExhausted``. The transaction may still be mined; ``transaction_hash`` says which."""


class LimitError(OpenGradientError):
    """An answer from outside (a contract's return data, a node-API document, a JSON output)
    is over one of the SDK's bounds, which keep what decoding it costs proportional to its
    size. The message names the bound."""
