"""Every private name the devnet reaches into, checked against the installed dependency.

The devnet subclasses py-evm's account databases, moves py-evm's canonical head, takes
eth-tester's genesis parameters, swaps eth-hash's hasher and subclasses aiohttp's low-level
server. None of that is public API: a release may rename any of it, and some renames would
not fail at import but silently (an override that no longer overrides, an attribute set that
nothing reads). So those packages are pinned exactly in the devnet extra, and this test names
each reached-for name that is gone, with the module that uses it, when a pin is moved.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import inspect
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Reach:
    dist: str  # the distribution pinned in pyproject's devnet extra
    name: str  # what the devnet uses
    where: str  # which of its modules
    check: Callable[[], object]  # raises (AttributeError, ImportError, AssertionError) if moved


def attr(dotted: str) -> object:
    """The object at ``module.path:Attr.attr``."""
    module, _, path = dotted.partition(":")
    found: object = importlib.import_module(module)
    for part in path.split(".") if path else []:
        found = getattr(found, part)
    return found


def params(dotted: str, *names: str) -> Callable[[], object]:
    def check() -> None:
        found = list(inspect.signature(attr(dotted)).parameters)  # type: ignore[arg-type]
        assert found[: len(names)] == list(names), f"parameters are now {found}"

    return check


def instance_attrs(make: Callable[[], object], *names: str) -> Callable[[], object]:
    def check() -> None:
        obj = make()
        absent = [n for n in names if not hasattr(obj, n)]
        assert not absent, f"instances no longer have {absent}"

    return check


def _account_db() -> object:
    from eth.db.account import AccountDB
    from eth.db.atomic import AtomicDB

    return AccountDB(AtomicDB())


def _hash_trie() -> object:
    from eth.db.hash_trie import HashTrie
    from trie import HexaryTrie

    return HashTrie(HexaryTrie({}))  # type: ignore[arg-type]


def _storage_db() -> object:
    from eth.constants import BLANK_ROOT_HASH
    from eth.db.atomic import AtomicDB
    from eth.db.storage import AccountStorageDB

    return AccountStorageDB(AtomicDB(), BLANK_ROOT_HASH, b"\x01" * 20)  # type: ignore[arg-type]


def _precompiles_override() -> None:
    """chain.py adds the OpenGradient precompiles by overriding ``_precompiles`` on a
    subclass: it must still be what ``get_precompiles`` returns."""
    from eth.vm.forks.prague.computation import PragueComputation

    marker = {b"\xf4" * 20: print}

    class Computation(PragueComputation):
        _precompiles = marker

    assert Computation.get_precompiles() is marker, "get_precompiles no longer reads it"


def _state_class_override() -> None:
    """chain.py gives the VM its state class (and so the fork's account database) through
    ``_state_class``: it must still be what ``get_state_class`` returns."""
    from eth.vm.forks.prague import PragueVM
    from eth.vm.forks.prague.state import PragueState

    class State(PragueState):
        pass

    class VM(PragueVM):
        _state_class = State

    assert VM.get_state_class() is State, "get_state_class no longer reads it"


def _hasher_swap() -> None:
    """og_devnet.keccak points eth-hash's shared hasher at safe-pysha3 by setting
    ``hasher`` and ``preimage``: calls must still go through them."""
    from eth_hash.auto import keccak
    from eth_hash.backends import pysha3

    hasher = type(keccak)(pysha3)
    hasher.hasher = lambda data: b"swapped"  # type: ignore[method-assign]
    hasher.preimage = lambda data: b"swapped"  # type: ignore[method-assign,assignment,return-value]
    assert hasher(b"") == b"swapped", "calls no longer go through .hasher"
    assert hasher.new(b"") == b"swapped", "new() no longer goes through .preimage"


def _server_attrs() -> None:
    """http_app.Connections (a web.Server) reads ``_loop``, ``_kwargs`` and
    ``_connections`` and builds its own RequestHandler the way ``__call__`` does."""
    from aiohttp import web

    async def make() -> None:
        server = web.Server(lambda request: None)  # type: ignore[arg-type,return-value]
        absent = [n for n in ("_loop", "_kwargs", "_connections") if not hasattr(server, n)]
        assert not absent, f"web.Server instances no longer have {absent}"
        assert isinstance(server._connections, dict), "_connections is no longer a dict"

    asyncio.run(make())


REACHES = [
    # py-evm
    Reach(
        "py-evm",
        "eth._utils.address.generate_contract_address",
        "node/serialize.py",
        lambda: attr("eth._utils.address:generate_contract_address"),
    ),
    Reach(
        "py-evm",
        "ChainDB._set_as_canonical_chain_head(db, header, genesis_parent_hash)",
        "chain.py (revert)",
        params(
            "eth.db.chain:ChainDB._set_as_canonical_chain_head",
            "db",
            "header",
            "genesis_parent_hash",
        ),
    ),
    Reach("py-evm", "PragueComputation._precompiles", "chain.py", _precompiles_override),
    Reach("py-evm", "PragueVM._state_class", "chain.py", _state_class_override),
    Reach(
        "py-evm",
        "AccountDB._get_encoded_account(address, from_journal)",
        "fork_state.py (overridden)",
        params("eth.db.account:AccountDB._get_encoded_account", "self", "address", "from_journal"),
    ),
    Reach(
        "py-evm",
        "AccountDB._get_address_store(address)",
        "fork_state.py (overridden)",
        params("eth.db.account:AccountDB._get_address_store", "self", "address"),
    ),
    Reach(
        "py-evm",
        "AccountDB._get_storage_root(address)",
        "fork_state.py",
        params("eth.db.account:AccountDB._get_storage_root", "self", "address"),
    ),
    Reach(
        "py-evm",
        "AccountDB()._journaltrie, _trie_cache, _account_stores, _raw_store_db",
        "fork_state.py",
        instance_attrs(
            _account_db, "_journaltrie", "_trie_cache", "_account_stores", "_raw_store_db"
        ),
    ),
    Reach(
        "py-evm",
        "AccountStorageDB()._clear_count, _accessed_slots, _journal_storage, "
        "_locked_changes, _address",
        "fork_state.py",
        instance_attrs(
            _storage_db,
            "_clear_count",
            "_accessed_slots",
            "_journal_storage",
            "_locked_changes",
            "_address",
        ),
    ),
    Reach(
        "py-evm",
        "AccountDB._apply_account_diff_without_proof(diff, trie)",
        "trie_batch.py (replaced)",
        params("og_devnet.trie_batch:_ORIGINAL", "self", "diff", "trie"),
    ),
    Reach(
        "py-evm",
        "HashTrie()._db (the hexary trie)",
        "trie_batch.py",
        instance_attrs(_hash_trie, "_db"),
    ),
    Reach(
        "py-evm",
        "eth.db.storage.CLEAR_COUNT_KEY_NAME",
        "fork_state.py",
        lambda: attr("eth.db.storage:CLEAR_COUNT_KEY_NAME"),
    ),
    Reach(
        "py-evm",
        "eth.db.header.HeaderSedes",
        "statefile.py",
        lambda: attr("eth.db.header:HeaderSedes"),
    ),
    # eth-tester
    Reach(
        "eth-tester",
        "eth_tester.backends.pyevm.main.get_default_genesis_params(overrides)",
        "chain.py (genesis)",
        params("eth_tester.backends.pyevm.main:get_default_genesis_params", "overrides"),
    ),
    # eth-hash
    Reach("eth-hash", "Keccak256.hasher and .preimage", "keccak.py", _hasher_swap),
    # aiohttp
    Reach(
        "aiohttp",
        "web.Server()._loop, _kwargs, _connections",
        "http_app.py (Connections)",
        _server_attrs,
    ),
    Reach(
        "aiohttp",
        "RequestHandler.handle_error(request, status, exc, message)",
        "http_app.py (_Protocol, overridden)",
        params(
            "aiohttp.web_protocol:RequestHandler.handle_error",
            "self",
            "request",
            "status",
            "exc",
            "message",
        ),
    ),
    Reach(
        "aiohttp",
        "StreamWriter.output_size",
        "http_app.py (_Protocol.handle_error)",
        lambda: attr("aiohttp.http_writer:StreamWriter.output_size"),
    ),
]


def exact_pins() -> dict[str, str]:
    """The devnet extra's ``==`` pins, by distribution name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for line in project["optional-dependencies"]["devnet"]:
        req = Requirement(line)
        versions = [s.version for s in req.specifier if s.operator == "=="]
        if versions:
            pins[req.name] = versions[0]
    return pins


@pytest.mark.parametrize("reach", REACHES, ids=lambda r: f"{r.dist}:{r.name.split('(')[0]}")
def test_private_name_still_there(reach: Reach) -> None:
    try:
        reach.check()
    except (AttributeError, ImportError, AssertionError, ValueError, TypeError) as exc:
        version = importlib.metadata.version(reach.dist)
        pytest.fail(
            f"{reach.dist} {version} moved {reach.name}, which og_devnet/{reach.where} uses "
            f"({type(exc).__name__}: {exc}). Adapt that module to this version, or keep "
            f"the pin in pyproject.toml ({reach.dist}=={exact_pins().get(reach.dist)}).",
            pytrace=False,
        )


def test_each_reached_package_is_pinned_exactly_and_installed_at_its_pin() -> None:
    pins = exact_pins()
    for dist in sorted({r.dist for r in REACHES}):
        assert dist in pins, f"{dist}: the devnet reaches into its private names; pin it with =="
        installed = importlib.metadata.version(dist)
        assert installed == pins[dist], (
            f"{dist} {installed} is installed but pyproject.toml pins {pins[dist]}: this test "
            "checks the installed one; reinstall with `pip install -e '.[devnet,dev]'`"
        )
