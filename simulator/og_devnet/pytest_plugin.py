"""pytest plugin (entry point ``pytest11``): a devnet per worker, a clean state per test.

The devnet is built once per session (per xdist worker); every test starts from the same
snapshot and everything it changed (chain, models, prices, faults, log, clock) is reverted
after it, so tests pass in any order and in parallel.
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


def _network(config: pytest.Config) -> str:
    return config.getoption("--og-network") or "local"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{KEEP_STATE}: tests of this module share devnet state (no revert between them); "
        "the module's changes are still reverted when it ends",
    )


@pytest.fixture(scope="session")
def _og_session_devnet(request: pytest.FixtureRequest) -> Devnet:
    network = _network(request.config)
    if network != "local":
        pytest.skip(
            f"devnet-only test (needs the devnet's clock, models or prices): skipped with "
            f"--og-network {network}"
        )
    from .devnet import Devnet

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
