"""``og devnet`` two ways: the real command as a subprocess on a free loopback port
(``node_factory``, ``start_node``), for what is about the process (signals, kill -9, restarts
with ``--state``, start-up flags and banner, file limits); and its server in a thread of the
test process (``node``, ``served_factory``): the same ``DevnetHTTPServer`` on a node built by
the same ``build()`` with the same access policy, for what is about HTTP and the node, without
paying a process start (about 1.3 s of CPU) per test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from og_devnet.boot import build
from og_devnet.devnet import Devnet
from og_devnet.http_guard import Guard
from og_devnet.server import DevnetHTTPServer

OG = str(Path(sys.executable).with_name("og"))


@dataclass
class Node:
    url: str
    process: subprocess.Popen[str]
    banner: str

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


def start_node(
    *args: str, timeout: float = 60.0, files: int | None = None, env: dict[str, str] | None = None
) -> Node:
    """Run ``og devnet --port 0 ARGS`` and wait for its banner's "Listening on" line
    (``files``: the node's limit of open files; ``env``: extra environment)."""

    def limit_files() -> None:
        if files is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    process = subprocess.Popen(
        [OG, "devnet", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        preexec_fn=limit_files if files is not None else None,
    )
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"Listening on (http://\S+)", line)
        if match:
            return Node(match.group(1), process, "".join(lines))
    process.kill()
    raise RuntimeError("og devnet did not start:\n" + "".join(lines))


@pytest.fixture
def node_factory() -> Iterator[Callable[..., Node]]:
    nodes: list[Node] = []

    def factory(*args: str) -> Node:
        node = start_node(*args)
        nodes.append(node)
        return node

    yield factory
    for node in nodes:
        node.kill(signal.SIGTERM)


@dataclass
class Served:
    """``og devnet``'s server in a thread of this process."""

    url: str
    devnet: Devnet
    server: DevnetHTTPServer


def serve_in_thread(
    *,
    host: str = "127.0.0.1",
    models: str | None = None,
    state: str | None = None,
    allow_hosts: tuple[str, ...] = (),
    cors: tuple[str, ...] = (),
    token: str | None = None,
    max_body: int | None = None,
    **server_options: Any,
) -> Served:
    """What ``og devnet`` serves for these options (as og_devnet.server.serve builds it: the
    access policy, ``build()``, the server; ``server_options``: ``idle_timeout``,
    ``body_timeout``, ``max_connections``), on a free port, in a daemon thread."""
    limit = {} if max_body is None else {"max_body": max_body}
    guard = Guard.for_bind(host, allow_hosts=allow_hosts, cors=cors, token=token, **limit)
    node, _ = build(models=models, state=state)
    server = DevnetHTTPServer(node, host, 0, guard=guard, **server_options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Served(server.url, node.devnet, server)


def stop(served: Served) -> None:
    served.server.shutdown()
    served.server.server_close()
    if served.server.node.journal is not None:
        served.server.node.journal.close()


@pytest.fixture
def served_factory() -> Iterator[Callable[..., Served]]:
    """``served_factory(**options)``: :func:`serve_in_thread`, stopped after the test."""
    started: list[Served] = []

    def factory(**options: Any) -> Served:
        served = serve_in_thread(**options)
        started.append(served)
        return served

    yield factory
    for served in started:
        stop(served)


@pytest.fixture
def node(served_factory: Callable[..., Served]) -> Served:
    """A fresh devnet behind ``og devnet``'s server, in a thread of this process."""
    return served_factory()
