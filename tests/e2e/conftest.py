"""A devnet served over HTTP for the ``--network devnet`` paths of the ``og`` command, which
tests run in-process (the ``og`` fixture, tests/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from og_devnet import Devnet
from og_devnet.server import DevnetHTTPServer
from tests.conftest import Og, Ran

__all__ = ["Og", "Ran", "Served", "closed_port"]  # Og and Ran for the tests' imports


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
