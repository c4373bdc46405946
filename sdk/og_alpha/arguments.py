"""Checking what callers pass to ``Alpha``: its two constructor forms, accounts, modes,
queries and schedules. Bad input is refused here with an ``InputError`` naming the fix, before
anything is sent; the official SDK's own types and enums are accepted by their fields, so code
that mixes them with ``og_alpha`` keeps working.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_checksum_address
from web3 import Web3

from . import wire
from .contracts import INFERENCE_HUB_ADDRESS
from .errors import InputError
from .networks import (
    DEFAULT_RPC_URL,
    Network,
    account_for,
)
from .node_api import Fetch
from .rpc_provider import BoundedHTTPProvider
from .transactions import positive_seconds
from .types import CandleOrder, CandleType, HistoricalInputQuery, InferenceMode, SchedulerParams

# 32 bytes of hex: a private key (or a hash). Such a string passed where an address belongs is
# never echoed back in an error message.
_KEY_LIKE = re.compile(r"(0x)?[0-9a-fA-F]{64}")
FORMS = (
    "Alpha(blockchain, wallet_account, inference_hub_contract_address, api_url) or "
    "Alpha(private_key, rpc_url=..., inference_contract_address=..., api_url=...)"
)


@dataclass(frozen=True)
class ClientArguments:
    """What either constructor form comes to."""

    blockchain: Web3
    account: LocalAccount
    hub_address: str  # checksummed
    api_url: str
    api_fetch: Fetch | None
    receipt_timeout: float
    api_timeout: float


def client_arguments(
    forms: Sequence[Callable[..., Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> ClientArguments:
    """``Alpha(*args, **kwargs)`` in whichever of its two overloads it was called (``forms``:
    the Web3 form, then the key form; their signatures are the one definition of the
    parameters and defaults). The key form when a ``private_key`` is given or the first
    argument is a string, else the Web3 form. A call that fits neither is an ``InputError``
    showing both."""
    web3_form, key_form = forms
    by_key = "private_key" in kwargs or bool(args and isinstance(args[0], str))
    signature = inspect.signature(key_form if by_key else web3_form)
    try:
        bound = signature.bind(None, *args, **kwargs)  # None stands for self
    except TypeError as exc:  # bind's messages name parameters, never values
        raise InputError(f"Alpha(...): {exc}; use {FORMS}") from None
    bound.apply_defaults()
    given = bound.arguments
    options = (given["api_url"], given["api_fetch"], given["receipt_timeout"], given["api_timeout"])
    if by_key:
        return _from_key(
            given["private_key"],
            given["rpc_url"],
            given["inference_contract_address"],
            given["request_timeout"],
            options,
        )
    return _from_web3(
        given["blockchain"],
        given["wallet_account"],
        given["inference_hub_contract_address"],
        options,
    )


def _from_web3(
    blockchain: Any, account: Any, hub: Any, options: tuple[Any, Any, Any, Any]
) -> ClientArguments:
    """0.7.5's (and the API reference's) form: a ``Web3`` and a signing account."""
    if not isinstance(blockchain, Web3):
        raise InputError(
            f"blockchain must be a web3.Web3, got a {type(blockchain).__name__}; use {FORMS}"
        )
    _check_account(account)
    return ClientArguments(blockchain, account, _hub_address(hub), *options)


# web3's default middleware that a Web3 the SDK builds for itself goes without: "validation"
# asks the node for its chain id twice on every eth_estimateGas and eth_call (two of the seven
# requests of an infer over HTTP) to check a chainId field the SDK never puts in them, and
# "ens_name_to_address" looks for ENS names where the SDK sends only checked 0x addresses. A
# Web3 passed to Alpha keeps the middleware it was given.
UNNEEDED_MIDDLEWARE = ("validation", "ens_name_to_address")


def _from_key(
    private_key: Any,
    rpc_url: Any,
    hub: Any,
    request_timeout: Any,
    options: tuple[Any, Any, Any, Any],
) -> ClientArguments:
    """1.1.4's form: a private key and URLs, the Alpha Testnet's by default. A dev key
    (public) is refused unless ``rpc_url`` is on this machine."""
    if not isinstance(rpc_url, str) or "://" not in rpc_url:
        raise InputError(f"rpc_url must be a node URL such as {DEFAULT_RPC_URL!r}")
    hub_address = _hub_address(hub)
    account = account_for(private_key, Network(rpc_url, rpc_url, options[0]))
    timeout = positive_seconds("request_timeout", request_timeout)
    web3 = Web3(BoundedHTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    for name in UNNEEDED_MIDDLEWARE:
        web3.middleware_onion.remove(name)
    return ClientArguments(web3, account, hub_address, *options)


def _hub_address(address: Any) -> str:
    if not isinstance(address, str) or not is_address(address):
        raise InputError(
            f"inference hub address {shown(address)} is not an address: give a 0x address of "
            f"40 hex digits (the Alpha Testnet's hub is {INFERENCE_HUB_ADDRESS})"
        )
    return to_checksum_address(address)


def shown(value: Any) -> str:
    """``repr(value)`` for an error message, unless it looks like a private key."""
    if isinstance(value, (str, bytes)) and _KEY_LIKE.fullmatch(
        value if isinstance(value, str) else value.hex()
    ):
        return "<32 bytes of hex, not shown: it may be a private key>"
    return repr(value)


def _check_account(account: Any) -> None:
    """Refuse anything but a signing account, without echoing it: a common slip is passing
    the private key itself, and an error message must not print it."""
    if not isinstance(getattr(account, "address", None), str) or not callable(
        getattr(account, "sign_transaction", None)
    ):
        raise InputError(
            "wallet_account must be a signing account such as "
            f"eth_account.Account.from_key(key), got a {type(account).__name__}"
        )


def _enum_value(member: Any) -> Any:
    """A member's value, for the official SDK's enums too (``InferenceMode`` is a plain
    ``Enum`` there), so that its members work here; bools are not numbers here."""
    value = member.value if isinstance(member, Enum) else member
    if isinstance(value, bool):
        raise ValueError(value)
    return value


def mode_code(mode: Any) -> int:
    try:
        return int(InferenceMode(_enum_value(mode)))
    except (ValueError, TypeError):
        raise InputError(
            f"inference_mode must be an InferenceMode (VANILLA, ZKML, TEE), got {mode!r}"
        ) from None


def query_tuple(q: Any) -> tuple[Any, ...]:
    """The constructor's query tuple, every field checked (the network's contract would
    revert without a reason on a bad enum). Any object with the fields will do, the
    official SDK's ``HistoricalInputQuery`` included."""
    try:
        base, quote, total, minutes = q.base, q.quote, q.total_candles, q.candle_duration_in_mins
        order, types = q.order, list(q.candle_types)
    except (AttributeError, TypeError):
        raise InputError(
            f"input_query must be a HistoricalInputQuery, got {type(q).__name__}"
        ) from None
    if not isinstance(base, str) or not isinstance(quote, str) or not base or not quote:
        raise InputError("input_query needs base and quote symbols, e.g. 'ETH' and 'USD'")
    for name, value in (("total_candles", total), ("candle_duration_in_mins", minutes)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 < value <= wire.UINT32_MAX
        ):
            raise InputError(f"input_query.{name} must be an int >= 1, got {value!r}")
    try:
        order = CandleOrder(_enum_value(order))
    except (ValueError, TypeError):
        raise InputError(
            f"input_query.order must be a CandleOrder (ASCENDING, DESCENDING), got {order!r}"
        ) from None
    if not types:
        raise InputError("input_query.candle_types is empty; list at least one CandleType")
    try:
        types = [CandleType(_enum_value(t)) for t in types]
    except (ValueError, TypeError):
        raise InputError(
            "input_query.candle_types must be CandleTypes (HIGH, LOW, OPEN, CLOSE, VOLUME), "
            f"got {q.candle_types!r}"
        ) from None
    return HistoricalInputQuery(base, quote, total, minutes, order, types).to_abi_format()


def checked_schedule(p: Any) -> SchedulerParams:
    """``p`` as a checked ``SchedulerParams`` (the official SDK's will do too)."""
    try:
        frequency, hours = p.frequency, p.duration_hours
    except AttributeError:
        raise InputError(
            f"scheduler_params must be a SchedulerParams, got {type(p).__name__}"
        ) from None
    if any(isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in (frequency, hours)):
        raise InputError(
            "scheduler_params needs frequency > 0 s and duration_hours > 0 (ints), got "
            f"frequency={frequency!r}, duration_hours={hours!r}"
        )
    return SchedulerParams(frequency, hours)
