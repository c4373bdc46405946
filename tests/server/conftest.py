"""Start ``og devnet`` as a real subprocess on a free loopback port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@pytest.fixture
def node(node_factory: Callable[..., Node]) -> Node:
    return node_factory()
