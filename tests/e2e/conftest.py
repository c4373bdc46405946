"""The ``og`` command in-process: ``main(argv)`` with its output captured, in a clean
environment (no ``OG_*`` settings, no ``og.toml``), and a devnet served over HTTP for the
``--network devnet`` paths."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from og_alpha.networks import ENV
from og_devnet import Devnet, progress
from og_devnet.cli import main
from og_devnet.server import DevnetHTTPServer


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
    """``og(*argv)`` -> Ran. Progress lines are off (a slow machine must not change what a
    test reads) unless a test sets ``progress.AFTER``."""
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OG_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(progress, "AFTER", 1e9)
    capsys.readouterr()

    def run(*argv: str) -> Ran:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@dataclass
class Served:
    devnet: Devnet
    url: str


@pytest.fixture
def served() -> Iterator[Served]:
    """A fresh devnet behind HTTP on a free loopback port, as ``og devnet`` serves it."""
    devnet = Devnet()
    server = DevnetHTTPServer(devnet.node, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(devnet, server.url)
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
