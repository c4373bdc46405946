"""Opt-in for the load tests of ``og devnet``: the ``load`` marker, ``--og-load`` and ``OG_LOAD``.

They push thousands of transactions through a real ``og devnet`` subprocess and take tens of
seconds, so ``make test`` skips them; ``make fuzz`` runs them. Two switches turn them on because
``--og-load`` exists only when pytest loads this conftest at startup (``pytest tests/load``), not
when it is reached later by collection (``pytest tests``): ``OG_LOAD=1`` works from anywhere.
Their figures (transactions, clients, throughput, what survived a ``kill -9``) are printed in
an "og devnet load" section at the end of the run, since the tests assert no timings.
"""

from __future__ import annotations

import os

import pytest

from tests.server.conftest import node_factory  # noqa: F401 - the fixture, reused as is

OPTION = "--og-load"
ENV = "OG_LOAD"
HOW_TO_RUN = f"load test: run with `pytest tests/load {OPTION}` or `{ENV}=1 pytest tests/load`"

FIGURES: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("og", "OpenGradient devnet").addoption(
        OPTION,
        action="store_true",
        default=False,
        help=f"run the slow load tests of og devnet (tests marked 'load'); or set {ENV}=1",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"load: slow load/fault test of og devnet; skipped unless {OPTION} or {ENV}=1",
    )


def load_enabled(config: pytest.Config) -> bool:
    """True when asked for by option or environment (the option may not exist: see above)."""
    return bool(config.getoption(OPTION, default=False)) or os.environ.get(ENV) == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if load_enabled(config):
        return
    skip = pytest.mark.skip(reason=HOW_TO_RUN)
    for item in items:
        if item.get_closest_marker("load") is not None:
            item.add_marker(skip)


@pytest.fixture
def figures() -> list[str]:
    """Where a load test leaves the figures it measured, for the end-of-run summary."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.write_sep("=", "og devnet load")
        for line in FIGURES:
            terminalreporter.write_line(line)
