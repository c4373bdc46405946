"""The compatibility suite's harness: the official clients in their own venvs, ``og_alpha``
in-process, one ``og devnet`` subprocess per test that both talk to over HTTP.

The official client runs as a subprocess of its own venv's Python (``driver.py``), not
imported here, because (1) that is how a user runs it: its own ``opengradient/__init__`` and
its own pinned dependencies (web3, langchain, og-x402...), none of ours; (2) two versions of one
package cannot be imported into one process; (3) nothing it does (globals, printing, logging
setup) can change the process that checks it. Both clients run the same ``driver.py`` code.

Run with ``make compat``. A missing official environment fails the suite (it is built from
PyPI on first use), it is never skipped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web3 import HTTPProvider, Web3

from og_devnet.accounts import dev_key
from og_devnet.cid import ipfs_cid_v0
from tests.compat import driver, envs
from tests.conftest import MODELS
from tests.server.conftest import Node, node_factory  # noqa: F401 - the fixture, reused

DRIVER = Path(driver.__file__)
KEY = "0x" + dev_key(1).hex()  # dev account 1: both clients, one after the other
# Each official version built the way its users build it: 0.7.5's Alpha takes a Web3 and an
# account (the API reference's form), 1.1.4's a private key and URLs.
FORMS = {"0.7.5": "web3", "1.1.4": "key"}


@dataclass(frozen=True)
class Official:
    """One official ``opengradient`` version, run through ``driver.py`` in its venv."""

    version: str
    python: Path

    @property
    def form(self) -> str:
        return FORMS[self.version]

    @property
    def package_dir(self) -> Path:
        """The installed ``opengradient`` package (its bundled ABIs and bytecode)."""
        (found,) = self.python.parents[1].glob("lib/python*/site-packages/opengradient")
        return found

    def run(self, url: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        plan = {"url": url, "key": KEY, "form": self.form, "steps": steps}
        done = subprocess.run(
            [str(self.python), str(DRIVER), "opengradient"],
            input=json.dumps(plan),
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert done.returncode == 0, f"opengradient {self.version} driver failed:\n{done.stderr}"
        return json.loads(done.stdout)


@pytest.fixture(scope="session", params=envs.VERSIONS, ids=lambda v: f"opengradient-{v}")
def official(request: pytest.FixtureRequest) -> Official:
    try:
        return Official(request.param, envs.ensure(request.param))
    except envs.EnvironmentFailure as exc:
        pytest.fail(f"the official client is required here: {exc}", pytrace=False)


def ours(url: str, steps: list[dict[str, Any]], form: str) -> list[dict[str, Any]]:
    """The same steps run by ``og_alpha``, built in the same form, in this process."""
    return driver.run_plan("og_alpha", {"url": url, "key": KEY, "form": form, "steps": steps})


@pytest.fixture
def node(node_factory: Callable[..., Node]) -> Node:  # noqa: F811 - the fixture above
    """A fresh ``og devnet`` serving every fixture model."""
    return node_factory("--models", str(MODELS))


def cid(model: str) -> str:
    return ipfs_cid_v0((MODELS / model).read_bytes())


def inspector(url: str) -> Web3:
    """Plain web3 on the node, independent of both clients."""
    return Web3(HTTPProvider(url, request_kwargs={"timeout": 60}))


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    answer = inspector(url).provider.make_request(method, params or [])  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]
