"""Hardhat 3 (from npm, with hardhat-ethers, the network helpers and node:test) against
``og devnet`` as an external http network: the example project examples/hardhat, run as its
README says (``npx hardhat test --network ogDevnet``).

Its test deploys ``ModelCaller`` (examples/foundry's source, through a symlink), runs the
model in a transaction, reads the stored output and the precompile's ModelOutput, and uses
``loadFixture``, ``takeSnapshot``/``restore``, ``setBalance``, ``impersonateAccount``,
``time.increase``, ``time.increaseTo`` and ``mine`` to run a scheduled workflow. Hardhat 3
needs Node 22: the project installs one from npm (the ``node`` package) and ``npx`` runs
Hardhat with it when ``node_modules/.bin`` leads ``PATH``. The compiler is the repository's
pinned solc-js (``contracts/node_modules``); the build goes to the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from eth._utils.address import generate_contract_address
from eth_utils import to_canonical_address, to_checksum_address
from web3 import Web3

from tests.clients.conftest import ADDRESS, LINEAR_CID, ROOT, model_output, number, run
from tests.server.conftest import Node

PROJECT = ROOT / "examples" / "hardhat"
BIN = PROJECT / "node_modules" / ".bin"
# Every test in examples/hardhat/test/ModelCaller.ts, each of which must pass.
TESTS = [
    "runs the model in a transaction and stores its output",
    "loadFixture starts every test from the fixture's chain",
    "runs a scheduled workflow when time.increase, time.increaseTo and mine pass its due times",
    "takeSnapshot and restore undo a funded, impersonated account's transactions",
]


def hardhat(node: Node, build: Path, *args: str) -> tuple[str, Path]:
    """``npx hardhat ARGS`` in the example project with its Node 22; returns the output and
    the file where every JSON-RPC request and answer went (the project's rpc-log plugin)."""
    for tool in ("node", "hardhat"):
        if not (BIN / tool).exists():
            pytest.fail(f"{BIN / tool} is missing: run `make compat` (it installs {PROJECT})")
    log = build / "rpc.log"
    done = run(
        ["npx", "--no-install", "hardhat", *args],
        cwd=PROJECT,
        env={
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "OG_DEVNET_URL": node.url,
            "HARDHAT_BUILD_DIR": str(build),
            "OG_RPC_LOG": str(log),
            "NO_COLOR": "1",
            "FORCE_COLOR": "0",
        },
    )
    if done.returncode != 0:
        traffic = "\n".join(log.read_text().splitlines()[-200:]) if log.exists() else "(none)"
        pytest.fail(
            f"npx hardhat {' '.join(args)} exited {done.returncode}\n--- stdout\n{done.stdout}\n"
            f"--- stderr\n{done.stderr}\n--- JSON-RPC traffic (the end)\n{traffic}",
            pytrace=False,
        )
    return done.stdout + done.stderr, log


def test_hardhat_test_runs_the_model_and_the_network_helpers(
    node: Node, web3: Web3, tmp_path: Path
) -> None:
    output, log = hardhat(node, tmp_path, "test", "--network", "ogDevnet")

    for name in TESTS:
        assert re.search(rf"✔ {re.escape(name)}", output), output
    assert f"{len(TESTS)} passing" in output, output
    assert "failing" not in output, output

    # Hardhat talked to this node, with the dev methods its helpers use under anvil's names
    # or Hardhat's, and none of them was refused.
    traffic = [json.loads(line.split(" ", 1)[1]) for line in log.read_text().splitlines()]
    methods = {m["method"] for m in traffic if "method" in m}
    assert {
        "evm_snapshot",
        "evm_revert",
        "evm_setNextBlockTimestamp",
        "hardhat_mine",
        "hardhat_setBalance",
        "hardhat_impersonateAccount",
        "eth_sendTransaction",
    } <= methods
    assert [m for m in traffic if isinstance(m, dict) and "error" in m] == []

    # What Hardhat compiled is what is on chain: its first deployment (dev account 0, nonce 0)
    # is the fixture's ModelCaller, which the last test's snapshot.restore() kept.
    artifact = json.loads(
        (tmp_path / "artifacts" / "contracts" / "ModelCaller.sol" / "ModelCaller.json").read_text()
    )
    address = to_checksum_address(generate_contract_address(to_canonical_address(ADDRESS), 0))
    assert web3.eth.get_code(address).to_0x_hex() == artifact["deployedBytecode"]
    caller = web3.eth.contract(address=address, abi=artifact["abi"])
    assert caller.functions.modelCID().call() == LINEAR_CID
    assert caller.functions.predictions().call() == 0
    # the outputs the Hardhat test expects (4.1, run 6's 3.1, run 12's 6.1) are onnxruntime's
    assert number(41, 1) == model_output([1, 2, 3], 0)
    assert number(31, 1) == model_output([6, 0, 0], 0)
    assert number(61, 1) == model_output([12, 0, 0], 0)
