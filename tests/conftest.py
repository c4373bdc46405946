"""Shared test helpers: fixture paths and direct onnxruntime runs to compare against.

``tests/compat`` (the official ``opengradient`` clients side by side with ``og_alpha``, which
install from PyPI) and ``tests/clients`` (Foundry, ethers, viem and Hardhat, installed from
npm) are collected only when asked for by path, as ``make compat`` does: ``make test`` (and
a plain ``pytest``) runs everything else and needs no tool from a registry.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from og_alpha import CandleOrder, CandleType, HistoricalInputQuery
from og_alpha.networks import ENV

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODELS = FIXTURES / "models"
COMPAT = Path(__file__).resolve().parent / "compat"
CLIENTS = Path(__file__).resolve().parent / "clients"
BY_PATH_ONLY = (COMPAT, CLIENTS)  # make compat's suites
# ohlc.onnx's input: 10 one-minute ETH/USD candles, open, high, low, close, oldest first
OHLC_TYPES = [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE]
OHLC_QUERY = HistoricalInputQuery("ETH", "USD", 10, 1, CandleOrder.ASCENDING, OHLC_TYPES)


# Collecting imports web3, py-evm, onnxruntime and the tests: objects that live as long as the
# process. The cyclic garbage collector is paused until collection ends (its ~500 collections
# found nothing to free, a quarter of a second of each worker's start), ...
gc.disable()


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.pluginmanager.has_plugin("dsession"):  # xdist's controller: no collection
        gc.enable()


def pytest_collection_finish(session: pytest.Session) -> None:
    """... and then what was imported is moved out of the collector's generations, so that
    each full collection walks only what the tests make (a worker's time in the collector:
    2.3 s -> 1.6 s)."""
    gc.freeze()
    gc.enable()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path not in BY_PATH_ONLY:
        return None
    suite = collection_path
    asked = (Path(arg.split("::")[0]).resolve() for arg in config.args)
    return None if any(p == suite or suite in p.parents for p in asked) else True


def run_onnx(name: str, feeds: dict[str, Any]) -> dict[str, Any]:
    """Run a fixture model directly with onnxruntime: the reference every test compares to."""
    session = ort.InferenceSession(str(MODELS / name), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, feeds), strict=True))


def float32_round_trip(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype(np.float32)


@pytest.fixture
def models_dir() -> Path:
    return MODELS


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)

    @property
    def lines(self) -> list[str]:
        """stderr's lines."""
        return self.err.strip().splitlines()


Og = Callable[..., Ran]


@pytest.fixture
def og(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Og:
    """``og(*argv)`` -> Ran: the ``og`` command's ``main(argv)`` in-process, its output
    captured, in a clean environment (no ``OG_*`` settings, no ``og.toml``: it runs in the
    test's temporary directory). Progress lines are off (a slow machine must not change what
    a test reads) unless a test sets ``progress.AFTER``. ``og devnet`` may only refuse to
    start here: serving fails the test."""
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OG_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    from og_devnet import progress
    from og_devnet.cli import main
    from og_devnet.server import DevnetHTTPServer

    monkeypatch.setattr(progress, "AFTER", 1e9)
    serve_forever = DevnetHTTPServer.serve_forever

    def in_a_thread_only(server: DevnetHTTPServer, *args: Any, **options: Any) -> None:
        if options.get("handle_signals"):  # og devnet's main thread, not a test's server thread
            pytest.fail(
                "og devnet started serving in-process, where it would serve until killed: a "
                "test of og devnet serving starts the process (tests.server.conftest.start_node)"
            )
        serve_forever(server, *args, **options)

    monkeypatch.setattr(DevnetHTTPServer, "serve_forever", in_a_thread_only)
    capsys.readouterr()

    def run(*argv: str) -> Ran:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def devnet_loaded() -> None:
    """For tests that run pytest in-process (``pytester.runpytest_inprocess``): such a run
    drops, when it ends, every module it imported, so the next one imports them again, and
    re-importing py-evm's native modules (coincurve, _pysha3) aborts the interpreter. A devnet
    that has run an inference loads them in this process first, where they outlive every
    in-process run (which then also skips importing them: about 1 s each)."""
    import sqlite3  # noqa: F401 - the fork cache's

    import hypothesis  # noqa: F401 - its pytest plugin imports it as every run ends

    from og_alpha import InferenceMode
    from og_devnet import Devnet

    devnet = Devnet()
    cid = devnet.models.add(MODELS / "linear.onnx")
    devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
