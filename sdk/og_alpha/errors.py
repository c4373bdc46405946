"""The SDK's exception hierarchy.

Every failure a user can meet through ``og_alpha`` is an :class:`OpenGradientError`, so one
``except`` clause catches them all; the subclasses say *where* it failed, which tells the user
whether anything reached the chain.
"""

from __future__ import annotations


class OpenGradientError(Exception):
    """Base class of every error raised by the SDK."""


class InputError(OpenGradientError, ValueError):
    """The input was refused before anything was sent (bad tensor, bad argument).

    ``tensor`` names the offending model-input tensor when there is one.
    """

    def __init__(self, message: str, *, tensor: str | None = None) -> None:
        super().__init__(message)
        self.tensor = tensor


class ConfigurationError(OpenGradientError):
    """The network configuration (URL, key, addresses) is missing or unsafe."""


class RevertError(OpenGradientError):
    """The chain refused the call: simulation or transaction reverted.

    ``reason`` is the decoded revert reason (or ``None``), ``data`` the raw revert data,
    ``transaction_hash`` is set when a transaction was mined and reverted (``None`` means the
    simulation reverted and nothing was sent).
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        data: bytes = b"",
        transaction_hash: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.data = data
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
