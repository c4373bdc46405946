"""pytest plugin (entry point ``pytest11``): a devnet per worker, a clean state per test.

The devnet is built once per session (per xdist worker); every test starts from the same
snapshot and everything it changed (chain, models, prices, faults, log, clock) is reverted
after it, so tests pass in any order and in parallel.

``--og-fork-url URL`` makes that devnet a fork of the node at URL (its state read lazily at
``--og-fork-block-number``, default the remote's latest block, pinned once so that every
xdist worker forks the same block).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from og_alpha import Alpha

    from .devnet import Devnet
    from .models import ModelHub
    from .prices import PriceFeed

KEEP_STATE = "og_keep_state"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("og", "OpenGradient devnet")
    group.addoption(
        "--og-network",
        default=None,
        help="run the suite against this network (local, devnet, alpha or a URL) instead of "
        "the in-process devnet; tests that need devnet controls are skipped",
    )
    group.addoption(
        "--og-fork-url",
        default=None,
        metavar="URL",
        help="make the in-process devnet a fork of this JSON-RPC node (its accounts, "
        "contracts and storage read lazily at the pinned block; writes stay local)",
    )
    group.addoption(
        "--og-fork-block-number",
        type=int,
        default=None,
        metavar="N",
        help="the block --og-fork-url forks (default: the remote's latest when the run starts)",
    )


def _network(config: pytest.Config) -> str:
    return config.getoption("--og-network") or "local"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{KEEP_STATE}: tests of this module share devnet state (no revert between them); "
        "the module's changes are still reverted when it ends",
    )
    url = config.getoption("--og-fork-url")
    if url and not hasattr(config, "workerinput"):
        block = config.getoption("--og-fork-block-number")
        if block is None:  # pinned now, once: workers must all fork the same block
            block = _latest_block(url)
        config.stash[_FORK_BLOCK] = block
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_PinFork(block), "og_fork_pin")


_FORK_BLOCK = pytest.StashKey[int]()
_WORKER_KEY = "og_fork_block_number"


class _PinFork:
    """Hands the pinned fork block to each xdist worker."""

    def __init__(self, block: int) -> None:
        self.block = block

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_WORKER_KEY] = self.block


def _latest_block(url: str) -> int:
    from .errors import DevnetError
    from .fork_rpc import RpcClient, quantity

    try:
        client = RpcClient(url)
        try:
            return quantity(
                client.call("eth_blockNumber", [], "the head block"),
                "eth_blockNumber",
                client.shown,
            )
        finally:
            client.close()
    except DevnetError as exc:
        raise pytest.UsageError(f"--og-fork-url: {exc}") from None


def _fork_block(config: pytest.Config) -> int | None:
    worker = getattr(config, "workerinput", None)
    if worker is not None and _WORKER_KEY in worker:
        return int(worker[_WORKER_KEY])
    return config.stash.get(_FORK_BLOCK, config.getoption("--og-fork-block-number"))


@pytest.fixture(scope="session")
def _og_session_devnet(request: pytest.FixtureRequest) -> Devnet:
    network = _network(request.config)
    if network != "local":
        pytest.skip(
            f"devnet-only test (needs the devnet's clock, models or prices): skipped with "
            f"--og-network {network}"
        )
    from .devnet import Devnet

    url = request.config.getoption("--og-fork-url")
    if url:
        return Devnet(fork_url=url, fork_block_number=_fork_block(request.config))
    return Devnet()


@pytest.fixture(scope="module")
def _og_module_devnet(
    request: pytest.FixtureRequest, _og_session_devnet: Devnet
) -> Iterator[Devnet]:
    devnet = _og_session_devnet
    snapshot = devnet.snapshot()
    yield devnet
    devnet.revert(snapshot)


@pytest.fixture
def og_devnet(request: pytest.FixtureRequest, _og_module_devnet: Devnet) -> Iterator[Devnet]:
    """The devnet, in the state every test starts from; reverted after the test."""
    devnet = _og_module_devnet
    if request.node.get_closest_marker(KEEP_STATE) is not None:
        yield devnet
        return
    snapshot = devnet.snapshot()
    try:
        yield devnet
    finally:
        devnet.revert(snapshot)


@pytest.fixture
def og_alpha(request: pytest.FixtureRequest) -> Alpha:
    """An ``Alpha`` client: bound to the devnet and funded dev account 0, or, with
    ``--og-network``, to that network with the key from ``OG_PRIVATE_KEY``."""
    network = _network(request.config)
    if network == "local":
        devnet: Devnet = request.getfixturevalue("og_devnet")
        return devnet.alpha(0)
    from og_alpha.networks import connect

    return connect(network)


@pytest.fixture
def og_models(og_devnet: Devnet) -> ModelHub:
    return og_devnet.models


@pytest.fixture
def og_prices(og_devnet: Devnet) -> PriceFeed:
    return og_devnet.prices


@pytest.fixture
def og_accounts(og_devnet: Devnet) -> list[Any]:
    return og_devnet.accounts
