"""pytest plugin (entry point ``pytest11``): a devnet per worker, a clean state per test.

The devnet is built once per session (per xdist worker). Every fixture that uses it, whatever
its scope, is anchored: the devnet's state is snapshotted before the fixture is set up and
reverted when it is torn down, and so is every test's body. So a session- or module-scoped
fixture (``og_devnet_session``, ``og_alpha_module``, or yours built on them) sets up state once
that each test of its scope starts from, a test's changes never reach the next test, and a
module's never reach the next module: tests pass in any order and in parallel.

Snapshots are undone in the reverse order they were taken, which pytest's teardown order
gives as long as broader fixtures are set up before narrower ones. Where pytest would set a
broader fixture up later (a session fixture first asked for by the third test of a module
whose module fixture the first test set up), the plugin sets it up before the narrower one:
every devnet fixture of a broader scope that any test under that module (or class) uses. A
broader fixture still reached later (``request.getfixturevalue`` inside a test) is refused by
name rather than silently reverted with the narrower one.

``--og-genesis-time`` (ini ``og_genesis_time``) starts the devnet at another time, e.g. one
that real candles cover; ``--og-fork-url`` makes it a fork of another node (its state read
lazily at ``--og-fork-block-number``, default the remote's latest block, pinned once so that
every xdist worker forks the same block).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from . import durations
from .testing import snapshot, time_travel

if TYPE_CHECKING:
    from og_alpha import Alpha

    from .devnet import Devnet
    from .models import ModelHub
    from .prices import PriceFeed

KEEP_STATE = "og_keep_state"
SESSION_DEVNET = "_og_session_devnet"
# The plugin's fixtures that hand out the devnet or a client on it: a fixture that uses any
# of them (directly or through others) is anchored.
DEVNET_FIXTURES = frozenset(
    {
        SESSION_DEVNET,
        "_og_module_devnet",
        "og_devnet",
        "og_devnet_module",
        "og_devnet_session",
        "og_alpha",
        "og_alpha_module",
        "og_alpha_session",
        "og_models",
        "og_prices",
        "og_accounts",
        "og_time_travel",
        "og_snapshot",
    }
)
SCOPES = ("function", "class", "module", "package", "session")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("og", "OpenGradient devnet")
    group.addoption(
        "--og-network",
        default=None,
        help="run the suite against this network (local, devnet, alpha or a URL) instead of "
        "the in-process devnet; tests that need devnet controls are skipped (default: local)",
    )
    group.addoption(
        "--og-genesis-time",
        default=None,
        metavar="TIME",
        help="the devnet's start: unix seconds or an ISO date such as 2023-01-01, e.g. within "
        "the candles a test loads (default: ini og_genesis_time, else 2025-01-01T00:00:00Z)",
    )
    parser.addini(
        "og_genesis_time",
        "the devnet's start (unix seconds or an ISO date); --og-genesis-time overrides it",
        default=None,
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
        f"{KEEP_STATE}: tests of this module (or class) share devnet state: no revert between "
        "them; what they changed is reverted when the module ends",
    )
    config.stash[_ANCHORS] = _Anchors()
    config.stash[_GENESIS] = _genesis_time(config)
    url = config.getoption("--og-fork-url")
    if url and config.stash[_GENESIS] is not None:
        raise pytest.UsageError(
            "--og-genesis-time and --og-fork-url exclude each other: a fork starts at the "
            "remote block's time (move the clock with og_time_travel)"
        )
    if url and not hasattr(config, "workerinput"):
        block = config.getoption("--og-fork-block-number")
        if block is None:  # pinned now, once: workers must all fork the same block
            block = _latest_block(url)
        config.stash[_FORK_BLOCK] = block
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_PinFork(block), "og_fork_pin")


def _genesis_time(config: pytest.Config) -> int | None:
    given = config.getoption("--og-genesis-time")
    source = "--og-genesis-time"
    if given is None:
        given, source = config.getini("og_genesis_time"), "ini og_genesis_time"
    if given in (None, ""):
        return None
    try:
        return durations.timestamp(str(given).strip())
    except ValueError as exc:
        raise pytest.UsageError(f"{source}: {exc}") from None


_FORK_BLOCK = pytest.StashKey[int]()
_GENESIS = pytest.StashKey["int | None"]()
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


# --- anchors: a snapshot per devnet fixture and per test ---------------------------------------
@dataclass(eq=False)
class _Anchor:
    name: str
    rank: int  # index in SCOPES
    taken: Any


@dataclass
class _Anchors:
    """The devnet of this process and the snapshots alive on it, oldest first."""

    devnet: Any = None
    stack: list[_Anchor] = field(default_factory=list)
    bound: dict[int, bool] = field(default_factory=dict)  # fixturedef id -> uses the devnet

    def refusal(self, name: str, rank: int) -> str | None:
        """Why a ``rank``-scoped anchor cannot go on the stack now, or None."""
        narrower = [a for a in self.stack if a.rank < rank]
        if not narrower:
            return None
        holder = narrower[-1]
        return (
            f"{name} ({SCOPES[rank]}-scoped) is being set up while {holder.name} "
            f"({SCOPES[holder.rank]}-scoped) holds devnet state: what {name} does would be "
            f"reverted when {holder.name} ends. Ask for {name} as an argument of the test or "
            "fixture (not request.getfixturevalue), so that it is set up first"
        )

    def push(self, name: str, rank: int) -> _Anchor:
        anchor = _Anchor(name, rank, self.devnet.snapshot())
        self.stack.append(anchor)
        return anchor

    def pop(self, anchor: _Anchor) -> None:
        """Revert to ``anchor``'s snapshot. Anchors taken after it that are still alive (a
        fixture another one asked for while it was being set up is torn down after it) will
        revert to that same snapshot: nothing set up since ``anchor`` may outlive it."""
        if anchor not in self.stack:
            return
        index = self.stack.index(anchor)
        for later in self.stack[index + 1 :]:
            later.taken = anchor.taken
        del self.stack[index]
        self.devnet.revert(anchor.taken)


_ANCHORS = pytest.StashKey[_Anchors]()


def _uses_devnet(fixturedef: Any, request: Any, anchors: _Anchors) -> bool:
    """Whether ``fixturedef`` uses one of the plugin's devnet fixtures, directly or through
    other fixtures (every definition of a name counts: an override may call the original)."""
    known = anchors.bound.get(id(fixturedef))
    if known is not None:
        return known
    anchors.bound[id(fixturedef)] = False  # a cycle is not a use
    names = getattr(request, "_arg2fixturedefs", {})
    result = fixturedef.argname in DEVNET_FIXTURES or any(
        name in DEVNET_FIXTURES
        or any(
            _uses_devnet(d, request, anchors) for d in names.get(name, ()) if d is not fixturedef
        )
        for name in fixturedef.argnames
    )
    anchors.bound[id(fixturedef)] = result
    return result


def _kept(node: Any) -> bool:
    return node.get_closest_marker(KEEP_STATE) is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Generator[None, Any, None]:
    # Nothing may raise before the yield: pytest records a fixture's failure only around its
    # own setup, and a hook that fails first leaves the fixture half-registered.
    anchors = request.config.stash.get(_ANCHORS, None)
    if anchors is None or anchors.devnet is None or not _uses_devnet(fixturedef, request, anchors):
        yield
        return
    rank = SCOPES.index(fixturedef.scope)
    if rank == 0 and _kept(request.node):
        yield
        return
    name = f"fixture {fixturedef.argname!r}"
    refusal = anchors.refusal(name, rank)
    if refusal is None:
        anchor = anchors.push(name, rank)
        fixturedef.addfinalizer(lambda: anchors.pop(anchor))
    outcome = yield
    if refusal is not None and outcome.excinfo is None:
        try:
            pytest.fail(refusal, pytrace=False)
        except pytest.fail.Exception as exc:
            # as pytest caches a failed setup: every later request of it fails the same way
            fixturedef.cached_result = (None, fixturedef.cache_key(request), (exc, None))
            outcome.force_exception(exc)


@pytest.hookimpl(trylast=True)  # after -k/-m deselection
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test asks for the devnet fixtures of a broader scope that any test sharing that
    scope asks for (all the module's module-scoped ones, all the session's session-scoped
    ones), set up broadest first. So every test of a module starts from the same state,
    whichever ran first, and a broader fixture is never set up after a narrower one that is
    still alive (whose revert would undo it)."""
    anchors = config.stash.get(_ANCHORS, None)
    if anchors is None or _network(config) != "local":
        return  # elsewhere the devnet fixtures skip: asking for more would skip more tests
    shared: dict[int, dict[str, Any]] = {}  # id(scope node) -> {name: its definition}
    using: list[Any] = [i for i in items if DEVNET_FIXTURES & set(getattr(i, "fixturenames", ()))]
    for item in using:  # tests that do not use the devnet are left as they are
        for name, fixturedef in _definitions(item):
            rank = SCOPES.index(fixturedef.scope)
            if rank and not fixturedef.params and _uses_devnet(fixturedef, item._request, anchors):
                node = _scope_node(item, rank)
                shared.setdefault(id(node), {}).setdefault(name, fixturedef)
    for item in using:
        names = item.fixturenames
        extra = {
            name: fixturedef
            for node in item.listchain()
            for name, fixturedef in shared.get(id(node), {}).items()
            if name not in names and _visible(item, name) is fixturedef
        }
        if extra:
            ranks = {n: SCOPES.index(d.scope) for n, d in [*_definitions(item), *extra.items()]}
            # stable: pytest's own order (by scope already) is kept among its names
            names[:] = sorted([*extra, *names], key=lambda n: -ranks.get(n, 0))


def _definitions(item: Any) -> Iterator[tuple[str, Any]]:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return
    for name in item.fixturenames:
        defs = info.name2fixturedefs.get(name)
        if defs:
            yield name, defs[-1]


def _visible(item: Any, name: str) -> Any:
    """The definition ``name`` has for ``item`` (None if it has none)."""
    defs = item.session._fixturemanager.getfixturedefs(name, item)
    return defs[-1] if defs else None


def _scope_node(item: Any, rank: int) -> Any:
    """The node whose life a ``rank``-scoped fixture of ``item`` lasts: its class, module,
    package or the session."""
    kinds = {1: pytest.Class, 2: pytest.Module, 3: pytest.Package}
    for node in reversed(item.listchain()):
        if rank in kinds and isinstance(node, kinds[rank]):
            return node
    return item.session


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    anchors = item.config.stash.get(_ANCHORS, None)
    names = set(getattr(item, "fixturenames", ()))
    if anchors is None or anchors.devnet is None or _kept(item) or not names & DEVNET_FIXTURES:
        yield
        return
    anchor = anchors.push(f"test {item.name}", 0)  # the narrowest: never refused
    try:
        yield
    finally:
        anchors.pop(anchor)


# --- the devnet ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _og_session_devnet(request: pytest.FixtureRequest) -> Devnet:
    """The devnet this process's tests share (built once; anchors keep it clean)."""
    network = _network(request.config)
    if network != "local":
        pytest.skip(
            f"devnet-only test (needs the devnet's clock, models or prices): skipped with "
            f"--og-network {network}"
        )
    from .extra import require

    require("the og_devnet pytest fixtures")
    from .devnet import Devnet

    config = request.config
    url = config.getoption("--og-fork-url")
    if url:
        devnet = Devnet(fork_url=url, fork_block_number=_fork_block(config))
    else:
        devnet = Devnet(genesis_time=config.stash.get(_GENESIS, None))
    config.stash[_ANCHORS].devnet = devnet
    return devnet


@pytest.fixture(scope="module")
def _og_module_devnet(_og_session_devnet: Devnet) -> Devnet:
    """The devnet, anchored for the module: what an ``og_keep_state`` module's tests share
    is reverted when the module ends."""
    return _og_session_devnet


@pytest.fixture
def og_devnet(_og_module_devnet: Devnet) -> Devnet:
    """The in-process devnet (``og_devnet.Devnet``), in the state every test starts from:
    genesis, plus what the session- and module-scoped fixtures in use set up. Everything the
    test changes (chain, models, prices, faults, log, clock) is reverted after it, unless
    its module is marked ``og_keep_state``."""
    return _og_module_devnet


@pytest.fixture(scope="module")
def og_devnet_module(_og_module_devnet: Devnet) -> Devnet:
    """The devnet, for module-scoped fixtures: what they set up here is there for every test
    of the module (each test's own changes are still reverted) and reverted when the module
    ends."""
    return _og_module_devnet


@pytest.fixture(scope="session")
def og_devnet_session(_og_session_devnet: Devnet) -> Devnet:
    """The devnet, for session-scoped fixtures: what they set up here is there for every test
    of the session, on every xdist worker (each test's and module's changes are still
    reverted)."""
    return _og_session_devnet


def _alpha(request: pytest.FixtureRequest, devnet_fixture: str) -> Alpha:
    network = _network(request.config)
    if network == "local":
        devnet: Devnet = request.getfixturevalue(devnet_fixture)
        return devnet.alpha(0)
    from og_alpha.networks import connect

    return connect(network)


@pytest.fixture
def og_alpha(request: pytest.FixtureRequest) -> Alpha:
    """An ``og_alpha.Alpha`` client: on the devnet as dev account 0 (funded), or, with
    ``--og-network``, on that network with the key from ``OG_PRIVATE_KEY``/``og.toml``."""
    return _alpha(request, "og_devnet")


@pytest.fixture(scope="module")
def og_alpha_module(request: pytest.FixtureRequest) -> Alpha:
    """``og_alpha`` for module-scoped fixtures (see ``og_devnet_module``)."""
    return _alpha(request, "og_devnet_module")


@pytest.fixture(scope="session")
def og_alpha_session(request: pytest.FixtureRequest) -> Alpha:
    """``og_alpha`` for session-scoped fixtures (see ``og_devnet_session``)."""
    return _alpha(request, "og_devnet_session")


@pytest.fixture
def og_models(og_devnet: Devnet) -> ModelHub:
    """The devnet's models (``og_devnet.models``): ``og_models.add("model.onnx")`` returns
    its CID, as ``ipfs add`` would."""
    return og_devnet.models


@pytest.fixture
def og_prices(og_devnet: Devnet) -> PriceFeed:
    """The devnet's price feed (``og_devnet.prices``): ``load_csv``, ``set_candles`` and the
    ``candles`` a workflow query sees at the chain's time."""
    return og_devnet.prices


@pytest.fixture
def og_accounts(og_devnet: Devnet) -> list[Any]:
    """The ten funded dev accounts (eth-account ``LocalAccount``s; public test keys)."""
    return og_devnet.accounts


@pytest.fixture
def og_time_travel(og_devnet: Devnet) -> Callable[..., Any]:
    """``og_time_travel("1h")``, ``og_time_travel(to="2025-03-01")``,
    ``og_time_travel(blocks=5)``: move the devnet's clock, running the scheduled workflows
    that fall due; returns their run report (``og_devnet.testing.time_travel``)."""

    def travel(
        by: str | float | None = None,
        *,
        to: str | int | None = None,
        blocks: int = 0,
        raise_on_failure: bool = False,
    ) -> Any:
        return time_travel(og_devnet, by, to=to, blocks=blocks, raise_on_failure=raise_on_failure)

    return travel


@pytest.fixture
def og_snapshot(og_devnet: Devnet) -> Callable[[], AbstractContextManager[Any]]:
    """``with og_snapshot(): ...``: whatever the block changes on the devnet is undone when
    it ends, raised or not (``og_devnet.testing.snapshot``)."""
    return lambda: snapshot(og_devnet)
