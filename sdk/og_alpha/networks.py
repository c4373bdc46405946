"""The network switch: which chain, node API and key a client uses.

Precedence, per setting: explicit argument > environment (``OG_NETWORK``, ``OG_RPC_URL``,
``OG_PRIVATE_KEY``, ``OG_HUB_ADDRESS``, ``OG_API_URL``) > ``og.toml`` > the network's
defaults, and the network itself defaults to ``local`` (an in-process devnet).
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from eth_account import Account
from eth_account.signers.local import LocalAccount

from . import dev_accounts
from .contracts import INFERENCE_HUB_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS
from .errors import ConfigurationError
from .transactions import DEFAULT_RECEIPT_TIMEOUT, positive_seconds

if TYPE_CHECKING:
    from .alpha import Alpha

ENV = {
    "network": "OG_NETWORK",
    "rpc_url": "OG_RPC_URL",
    "private_key": "OG_PRIVATE_KEY",
    "hub_address": "OG_HUB_ADDRESS",
    "api_url": "OG_API_URL",
}
CONFIG_FILE = "og.toml"
DEFAULT_REQUEST_TIMEOUT = 60.0
# The Alpha Testnet's endpoints, under the official SDK's names.
DEFAULT_RPC_URL = "https://ogevmdevnet.opengradient.ai"
DEFAULT_API_URL = "https://sdk-devnet.opengradient.ai"

# The well-known dev accounts (mnemonic "test test ... junk", as anvil and hardhat use), their
# addresses lower-case. Their keys are public: refused on every network not on this machine.
DEV_ADDRESSES = frozenset(address.lower() for address in dev_accounts.DEV_ADDRESSES)
LAYERS = ("argument", "environment", CONFIG_FILE)


@dataclass(frozen=True)
class Network:
    """A named set of endpoints and addresses. ``rpc_url`` None means in-process."""

    name: str
    rpc_url: str | None
    api_url: str
    hub_address: str = INFERENCE_HUB_ADDRESS
    scheduler_address: str = WORKFLOW_SCHEDULER_ADDRESS

    @property
    def is_local(self) -> bool:
        """In-process or on this machine: the only places dev keys may be used."""
        if self.rpc_url is None:
            return True
        host = urlsplit(self.rpc_url).hostname or ""
        return host in ("localhost", "::1") or host.startswith("127.")


NETWORKS = {
    "local": Network("local", None, "http://devnet.invalid"),
    "devnet": Network("devnet", "http://127.0.0.1:8545", "http://127.0.0.1:8545"),
    "alpha": Network("alpha", DEFAULT_RPC_URL, DEFAULT_API_URL),
}


@dataclass(frozen=True)
class Settings:
    """A resolved configuration. ``ignored_key`` says which key setting was passed over
    (see :func:`resolve`), for tools that tell the user; None when none was."""

    network: Network
    private_key: str | None
    ignored_key: str | None = None

    def __repr__(self) -> str:  # never print the key
        key = "set" if self.private_key else "unset"
        return f"Settings(network={self.network!r}, private_key=<{key}>)"


def _config(path: Path | None) -> dict[str, Any]:
    path = path or Path.cwd() / CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from None
    section = data.get("og", data)
    if section.get("private_key") and sys.platform != "win32":
        mode = path.stat().st_mode
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warnings.warn(
                f"{path} holds a private key and is readable by other users; run "
                f"`chmod 600 {path}`",
                stacklevel=3,
            )
    return {k: v for k, v in section.items() if k in ENV}


def resolve(
    network: str | None = None,
    private_key: str | None = None,
    *,
    config_path: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from arguments, then environment, then ``og.toml``, then defaults.

    On a network on this machine (``local``, ``devnet``, a loopback URL) a key from the
    environment or ``og.toml`` is used only if the same place names that network too, or if
    it is a dev key: an ``OG_PRIVATE_KEY`` kept for the Alpha Testnet is not funded on a
    devnet, and signing with it there fails far from the cause. Dev account 0 signs instead;
    ``Settings.ignored_key`` says which key was passed over. A ``private_key`` argument is
    always used.
    """
    unknown = set(overrides) - set(ENV)
    if unknown:
        raise ConfigurationError(f"unknown setting(s) {sorted(unknown)}; use {sorted(ENV)}")
    file = _config(config_path)
    explicit = {"network": network, "private_key": private_key, **overrides}

    def pick(key: str) -> tuple[Any, str | None]:
        if explicit.get(key) is not None:
            return explicit[key], LAYERS[0]
        if os.environ.get(ENV[key]):
            return os.environ[ENV[key]], LAYERS[1]
        if file.get(key) is not None:
            return file[key], LAYERS[2]
        return None, None

    name, named_in = pick("network")
    name = name or "local"
    if name in NETWORKS:
        net = NETWORKS[name]
    elif isinstance(name, str) and "://" in name:
        net = Network(name, name, name)
    else:
        raise ConfigurationError(
            f"unknown network {name!r}; use one of {', '.join(NETWORKS)} or a node URL"
        )
    for field in ("rpc_url", "api_url", "hub_address"):
        value, _ = pick(field)
        if value:
            net = replace(net, **{field: value})
    key, key_in = pick("private_key")
    ignored = None
    meant_elsewhere = key_in not in (LAYERS[0], named_in)
    if key is not None and net.is_local and meant_elsewhere and not _is_dev_key(key):
        where = ENV["private_key"] if key_in == LAYERS[1] else f"private_key in {key_in}"
        ignored = (
            f"{where} is not used on {net.name!r}: it is set for another network (set the "
            "network in the same place, or pass the key explicitly, to sign with it here); "
            "dev account 0 signs instead"
        )
        key = None
    settings = Settings(net, key, ignored)
    _check_key(settings)
    return settings


def _is_dev_key(key: str) -> bool:
    try:
        return Account.from_key(key).address.lower() in DEV_ADDRESSES
    except Exception:  # noqa: BLE001 - a malformed key is refused later, never echoed
        return False


def _check_key(settings: Settings) -> None:
    net, key = settings.network, settings.private_key
    if key is None:
        if not net.is_local:
            raise ConfigurationError(
                f"network {net.name!r} needs a private key: set OG_PRIVATE_KEY, pass "
                "private_key=..., or put private_key in og.toml (chmod 600)"
            )
        return
    account_for(key, net)


def account_for(key: str, net: Network) -> LocalAccount:
    """The account of ``key`` for use on ``net``; a malformed key, or a dev key (whose
    private key is public) on a network that is not on this machine, is refused without
    echoing the key."""
    try:
        account: LocalAccount = Account.from_key(key)
    except Exception:  # noqa: BLE001 - never echo the key back
        raise ConfigurationError("the private key is not a valid 32-byte hex key") from None
    if account.address.lower() in DEV_ADDRESSES and not net.is_local:
        raise ConfigurationError(
            f"refusing to use dev account {account.address} on {net.name!r}: its private key "
            "is public (it comes from the well-known test mnemonic), so anything it holds "
            "there can be taken by anyone. Use your own key (OG_PRIVATE_KEY)."
        )
    return account


def connect(
    network: str | None = None,
    private_key: str | None = None,
    *,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT,
    **overrides: Any,
) -> Alpha:
    """An ``Alpha`` client for the configured network (``local`` by default).

    ``local`` starts an in-process devnet (reach it as ``alpha.devnet``) and uses dev
    account 0 unless a key is given. ``request_timeout`` bounds each request to a remote
    node; ``receipt_timeout`` is how long a sent transaction is waited for before the call
    fails with a ``NetworkError`` carrying its hash (check it before sending again).
    """
    timeout = positive_seconds("request_timeout", request_timeout)
    wait = positive_seconds("receipt_timeout", receipt_timeout)
    settings = resolve(network, private_key, **overrides)
    alpha = _client(settings, timeout)
    alpha.receipt_timeout = wait
    return alpha


def _client(settings: Settings, request_timeout: float) -> Alpha:
    from .alpha import Alpha

    net = settings.network
    if net.rpc_url is None:
        from og_devnet import Devnet  # only the local network needs the devnet

        devnet = Devnet()
        alpha = devnet.alpha(0)
        if settings.private_key is not None:
            alpha = Alpha(
                devnet.web3,
                Account.from_key(settings.private_key),
                net.hub_address,
                net.api_url,
                api_fetch=alpha._api_fetch,
            )
        alpha.devnet = devnet
        return alpha
    key = settings.private_key
    if key is None:
        key = "0x" + dev_accounts.dev_key(0).hex()
    alpha = Alpha(
        key,
        rpc_url=net.rpc_url,
        inference_contract_address=net.hub_address,
        api_url=net.api_url,
        request_timeout=request_timeout,
        api_timeout=request_timeout,
    )
    if net.name == "devnet":
        # A running `og devnet`: the same controls as the in-process Devnet, over its og_*
        # methods (advance, models, prices, faults, the inference log), when installed.
        try:
            from og_devnet.remote import RemoteDevnet
        except ImportError:
            return alpha
        alpha.devnet = RemoteDevnet(net.rpc_url, timeout=request_timeout)
    return alpha
