"""Fork mode through the tools: ``--state`` restarts fork the same block, ``og devnet
--fork-url``, and ``pytest --og-fork-url`` running a user's suite on a fork as on a fresh
devnet."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3

from og_devnet import fork_rpc
from og_devnet.boot import build
from og_devnet.statefile import StateFileError
from tests.conftest import MODELS, Og
from tests.fork.conftest import OUTSIDER, SLOT0_AT_FORK, Remote, Served
from tests.server.conftest import start_node

pytest_plugins = ["pytester"]
HERE = Path(__file__).resolve().parent


def test_a_state_restart_forks_the_block_the_journal_was_written_on(
    served_remote: Served, tmp_path: Path
) -> None:
    remote, server = served_remote.devnet, served_remote.server
    remote.mine(3)
    state = str(tmp_path / "fork.jsonl")
    node, _ = build(fork_url=server.url, state=state)
    served_remote.forks.append(node.devnet)
    assert node.devnet.fork is not None and node.devnet.fork.block_number == 3
    node.request("anvil_setBalance", [OUTSIDER, hex(7)])
    node.request("evm_mine", [])
    head = node.devnet.chain.head.hash
    assert node.journal is not None
    node.journal.close()
    remote.mine(5)  # the remote moves on: its latest is now block 8

    again, replayed = build(state=state)  # no --fork-url: the journal's URL and block
    served_remote.forks.append(again.devnet)
    assert again.devnet.fork is not None and again.devnet.fork.block_number == 3
    assert again.devnet.chain.head.hash == head and replayed == 2
    assert again.devnet.web3.eth.get_balance(OUTSIDER) == 7
    assert again.journal is not None
    again.journal.close()

    same, _ = build(fork_url=server.url, state=state)  # the URL again, the block from the journal
    served_remote.forks.append(same.devnet)
    assert same.devnet.chain.head.hash == head
    assert same.journal is not None
    same.journal.close()

    with pytest.raises(StateFileError, match="--fork-url/--fork-block-number") as other:
        build(fork_url=server.url, fork_block_number=5, state=state)
    assert "a fork of chain 31337 at block 3" in str(other.value)
    with pytest.raises(StateFileError, match="the journal has none, this start a fork"):
        build(fork_url=server.url, state=str(_plain_journal(tmp_path)))


def _plain_journal(tmp_path: Path) -> Path:
    path = tmp_path / "plain.jsonl"
    node, _ = build(state=str(path))
    assert node.journal is not None
    node.journal.close()
    return path


def test_og_devnet_fork_url(remote: Remote) -> None:
    node = start_node("--fork-url", remote.url, "--fork-block-number", str(remote.fork_block))
    try:
        assert f"Fork                {remote.url} at block {remote.fork_block}" in node.banner
        web3 = Web3(HTTPProvider(node.url))
        assert web3.eth.block_number == remote.fork_block
        assert web3.eth.get_storage_at(remote.store, 0) == SLOT0_AT_FORK.to_bytes(32, "big")
        info = web3.provider.make_request("anvil_nodeInfo", [])["result"]  # type: ignore[arg-type]
        assert info["forkConfig"]["forkBlockNumber"] == remote.fork_block
    finally:
        node.kill(signal.SIGTERM)


def test_og_devnet_with_an_unreachable_fork_url_says_so(
    og: Og, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``og devnet``'s main() in-process: it stops before serving."""
    monkeypatch.setattr(fork_rpc, "BACKOFF", 0.0)  # the refused connection's retries, at once
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = og("devnet", "--port", "0", "--fork-url", f"http://127.0.0.1:{port}")
    assert done.code == 1
    assert done.err.startswith(
        f"og: error: cannot read the chain id and head block from the fork URL "
        f"http://127.0.0.1:{port}: Connection refused"
    )
    assert "Traceback" not in done.err + done.out
    bad = og("devnet", "--fork-url", "http://127.0.0.1:1", "--fork-block-number", "-1")
    assert bad.code == 2 and "--fork-block-number must be a block number" in bad.err


def _suite(pytester: pytest.Pytester, start: int, *args: str) -> pytest.RunResult:
    """The suite under pytest: in-process (a session of its own), except with ``-n``, whose
    workers are processes (tests/plugin/test_plugin.py runs its suites the same way)."""
    pytester.makepyfile(
        test_user=(HERE / "suite.py").read_text(), store=(HERE / "store.py").read_text()
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OG_TEST_MODELS", str(MODELS))
        mp.setenv("OG_EXPECT_START", str(start))
        run = pytester.runpytest_subprocess if "-n" in args else pytester.runpytest_inprocess
        return run("-q", "-p", "no:cacheprovider", *args)


@pytest.mark.usefixtures("devnet_loaded")  # for the in-process runs
def test_the_same_suite_passes_on_a_fork_and_on_a_fresh_devnet(
    pytester: pytest.Pytester, remote: Remote
) -> None:
    _suite(pytester, 0).assert_outcomes(passed=6)
    head = remote.web3.eth.block_number
    _suite(pytester, head, "--og-fork-url", remote.url).assert_outcomes(passed=6)
    pinned = ("--og-fork-url", remote.url, "--og-fork-block-number", str(remote.fork_block))
    _suite(pytester, remote.fork_block, "-n", "2", *pinned).assert_outcomes(passed=6)
    assert remote.web3.eth.block_number == head  # the forks left the remote as it was
