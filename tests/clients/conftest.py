"""Real clients against ``og devnet``: Foundry's ``cast`` and ``forge`` and ``ethers``, from npm.

``make compat`` installs them (``tests/clients/package.json``, pinned by its lock file) and the
pinned solc (``contracts/package.json``) that forge compiles with, through
``examples/foundry/solc.js``, and runs these tests (``make test`` does not collect them: they
need npm). Each test module starts its own node on a free port; forge writes
its build, cache and broadcast files under the test's temporary directory, never into the
example project.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from og_devnet.accounts import dev_key
from og_devnet.cid import ipfs_cid_v0
from tests.conftest import MODELS, run_onnx
from tests.server.conftest import Node, start_node

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = Path(__file__).resolve().parent
NODE_MODULES = CLIENTS / "node_modules"
FOUNDRY_PROJECT = ROOT / "examples" / "foundry"
CHAIN_ID = 31337

KEY = "0x" + dev_key(0).hex()  # dev account 0, printed in the node's banner
ADDRESS = Account.from_key(KEY).address
LINEAR = "linear.onnx"  # x: float [1, 3] -> y: float [1, 1]
LINEAR_CID = ipfs_cid_v0((MODELS / LINEAR).read_bytes())
PREDICTED_EVENT = "Predicted(address,int128,int128)"
# ModelCaller's storage: slot 1 packs lastValue (low 16 bytes) and lastDecimals (high 16
# bytes); slot 2 counts the predictions.
SLOT_PREDICTION, SLOT_COUNT = 1, 2

# The tools' own timeouts are the clients'; these only stop a hung tool from hanging the suite.
TOOL_TIMEOUT = 600


def _platform_package(tool: str) -> str:
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}[sys.platform]
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[machine]
    return f"@foundry-rs/{tool}-{system}-{arch}"


def foundry_binary(tool: str) -> str:
    """The real ``cast``/``forge`` binary that ``@foundry-rs/<tool>`` installed (its npm launcher
    script does not pass the tool's exit code through, so it is not used)."""
    path = NODE_MODULES / _platform_package(tool) / "bin" / tool
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make compat` (or `npm ci` in {CLIENTS})")
    return str(path)


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> Run:
        """Fail the test with the tool's own output unless it exited 0."""
        if self.returncode != 0:
            pytest.fail(
                f"{' '.join(self.args[:3])}... exited {self.returncode}\n"
                f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}",
                pytrace=False,
            )
        return self

    def json(self) -> Any:
        return json.loads(self.check().stdout)


def run(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
    )
    return Run([str(a) for a in args], done.returncode, done.stdout, done.stderr)


def cast(*args: str) -> Run:
    return run([foundry_binary("cast"), *args])


def node_script(script: str, *args: str) -> Run:
    """Run one of the ethers scripts here (``tests/clients/*.mjs``) with node."""
    return run(["node", str(CLIENTS / script), *args], cwd=CLIENTS)


# --- the node -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> Iterator[Node]:
    """``og devnet --port 0 --models fixtures/models``, one per test module."""
    started = start_node("--models", str(MODELS))
    yield started
    started.kill(signal.SIGTERM)


@pytest.fixture(scope="module")
def web3(node: Node) -> Web3:
    """web3.py on the node: sets up what a test needs and reads what the tool did."""
    return Web3(HTTPProvider(node.url, request_kwargs={"timeout": 120}))


# --- the example contract, built by forge -----------------------------------------------------


@dataclass
class Build:
    """``forge build`` of examples/foundry into a private directory (FOUNDRY_OUT etc.)."""

    env: dict[str, str]
    abi: list[Any]
    bytecode: str
    deployed_bytecode: str
    artifact: Path


@pytest.fixture(scope="session")
def forge_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    where = tmp_path_factory.mktemp("forge")
    env = {
        "FOUNDRY_OUT": str(where / "out"),
        "FOUNDRY_CACHE_PATH": str(where / "cache"),
        "FOUNDRY_BROADCAST": str(where / "broadcast"),
    }
    run([foundry_binary("forge"), "build"], cwd=FOUNDRY_PROJECT, env=env).check()
    artifact = where / "out" / "ModelCaller.sol" / "ModelCaller.json"
    compiled = json.loads(artifact.read_text())
    return Build(
        env,
        compiled["abi"],
        compiled["bytecode"]["object"],
        compiled["deployedBytecode"]["object"],
        artifact,
    )


def deploy_with_web3(web3: Web3, build: Build, cid: str = LINEAR_CID) -> str:
    """Deploy ModelCaller(cid) with web3.py (setup for a test of another tool)."""
    contract = web3.eth.contract(abi=build.abi, bytecode=build.bytecode)
    receipt = _transact(web3, contract.constructor(cid))
    assert receipt["status"] == 1, receipt
    return str(receipt["contractAddress"])


def predict_with_web3(web3: Web3, build: Build, address: str, x: list[int], decimals: int) -> Any:
    """Send ModelCaller.predict(x, decimals) with web3.py; returns the receipt."""
    contract = web3.eth.contract(address=Web3.to_checksum_address(address), abi=build.abi)
    receipt = _transact(web3, contract.functions.predict(x, decimals))
    assert receipt["status"] == 1, receipt
    return receipt


def _transact(web3: Web3, call: Any) -> Any:
    tx = call.build_transaction({"from": ADDRESS, "nonce": web3.eth.get_transaction_count(ADDRESS)})
    signed = Account.sign_transaction(tx, KEY)
    tx_hash = web3.eth.send_raw_transaction(signed.raw_transaction)
    return web3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)


# --- what the model gives -------------------------------------------------------------------


def model_output(x: list[int], decimals: int) -> Decimal:
    """linear.onnx's y for x * 10**-decimals, run directly with onnxruntime, as the exact
    decimal the network sends for a float32 (its shortest round-tripping form)."""
    feeds = {"x": (np.array([x], dtype=np.float64) / 10**decimals).astype(np.float32)}
    y = run_onnx(LINEAR, feeds)["y"]
    assert y.shape == (1, 1)
    return Decimal(str(np.float32(y[0, 0])))


def number(value: int, decimals: int) -> Decimal:
    """A Number (value * 10**-decimals) as an exact decimal."""
    return Decimal(value).scaleb(-decimals)


def packed_prediction(word: str | bytes) -> tuple[int, int]:
    """Slot 1 of ModelCaller: (lastValue, lastDecimals), two int128 in one 32-byte word."""
    raw = bytes.fromhex(word[2:]) if isinstance(word, str) else bytes(word)
    assert len(raw) == 32, raw
    decimals = int.from_bytes(raw[:16], "big", signed=True)
    value = int.from_bytes(raw[16:], "big", signed=True)
    return value, decimals
