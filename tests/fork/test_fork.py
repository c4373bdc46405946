"""Fork mode against a real ``og devnet`` on loopback: the remote's state as of the pinned
block, read lazily and kept; local writes that stay local; the remote's workflow run locally
with its model pulled from a gateway; snapshots; clear errors when the remote cannot answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from eth_abi import decode, encode
from eth_account import Account
from web3 import Web3
from web3.exceptions import Web3RPCError

from og_alpha import InferenceError, InferenceMode
from og_alpha.contracts import WORKFLOW_SCHEDULER_ADDRESS
from og_alpha.wire import selector
from og_devnet import Devnet, fork_rpc
from og_devnet.accounts import DEV_BALANCE_WEI, dev_key
from og_devnet.errors import DevnetError
from og_devnet.fork import ForkError
from og_devnet.log import InferenceRecord
from og_devnet.node import RpcError
from og_devnet.scheduler import TASK
from tests.conftest import run_onnx
from tests.fork.conftest import (
    FUNDED,
    OHLC,
    OHLC_CID,
    OUTSIDER,
    REMOTE_RUNS_LATER,
    SLOT0_AT_FORK,
    SLOT0_LATER,
    Gateway,
    Remote,
    Served,
    send,
)
from tests.fork.store import DEPLOY_CODE, RUNTIME, load_data, store_data

ACCOUNT0 = Account.from_key(dev_key(0))


def fork(remote: Remote, **models: object) -> Devnet:
    """A fork of the remote at its fork block (``models``: the model source settings)."""
    block = remote.fork_block
    return Devnet(fork_url=remote.url, fork_block_number=block, **models)  # type: ignore[arg-type]


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def test_reads_the_remote_state_as_of_the_pinned_block(remote: Remote) -> None:
    devnet = fork(remote)
    web3, block = devnet.web3, remote.fork_block
    pinned = remote.web3.eth.get_block(block)

    # the chain goes on from the fork point: number, time, chain id
    assert devnet.block_number == web3.eth.block_number == block
    assert devnet.now == pinned["timestamp"]
    assert web3.eth.chain_id == remote.web3.eth.chain_id
    # state as of block N, not as of the remote's later blocks
    assert remote.web3.eth.get_storage_at(remote.store, 0) == word(SLOT0_LATER)
    assert web3.eth.get_storage_at(remote.store, 0) == word(SLOT0_AT_FORK)
    assert web3.eth.call({"to": remote.store, "data": load_data(1)}) == word(7)
    assert web3.eth.get_code(remote.store) == RUNTIME
    assert remote.web3.eth.get_balance(OUTSIDER) == FUNDED + 1
    assert web3.eth.get_balance(OUTSIDER) == FUNDED
    deployer = remote.deployer.address
    assert web3.eth.get_transaction_count(deployer) == remote.web3.eth.get_transaction_count(
        deployer, block
    )
    # the remote's scheduled task as it stood at N: no run yet (the remote ran 3 since)
    (task,) = devnet.scheduler.tasks()
    assert task.contract_address == remote.workflow and task.runs == 0
    # dev accounts funded locally over the remote's accounts (their nonces kept)
    assert web3.eth.get_balance(deployer) == DEV_BALANCE_WEI
    assert remote.web3.eth.get_balance(deployer, block) < DEV_BALANCE_WEI
    # blocks before the fork point are the remote's, and said to be
    with pytest.raises(RpcError, match=f"before block {block}, where this devnet forked"):
        devnet.node.request("eth_getBalance", [OUTSIDER, hex(block - 1)])
    assert web3.eth.get_block("earliest")["number"] == block
    # a proof against the local tries would prove the wrong state: refused, saying where to ask
    with pytest.raises(RpcError, match=f"not served by a fork.*{remote.url}"):
        devnet.node.request("eth_getProof", [remote.store, ["0x0"], "latest"])


def test_reads_are_batched_and_kept(remote: Remote) -> None:
    devnet = fork(remote)
    client = devnet.fork.remote.client  # type: ignore[union-attr]
    before = client.requests
    assert devnet.web3.eth.get_balance(OUTSIDER) == FUNDED  # balance, nonce, code: one batch
    assert client.requests == before + 1
    assert devnet.web3.eth.get_transaction_count(OUTSIDER) == 0
    assert devnet.web3.eth.get_storage_at(remote.store, 1) == word(7)
    after = client.requests
    assert devnet.web3.eth.get_balance(OUTSIDER) == FUNDED
    assert devnet.web3.eth.get_storage_at(remote.store, 1) == word(7)
    assert client.requests == after  # kept: the pinned block never changes


def test_a_pinned_block_is_kept_on_disk_for_the_next_fork(
    remote: Remote, fork_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fork(remote)
    assert first.web3.eth.get_balance(OUTSIDER) == FUNDED
    assert first.web3.eth.get_storage_at(remote.store, 1) == word(7)
    pinned = remote.web3.eth.get_block(remote.fork_block)["hash"].hex()
    assert [p.name for p in (fork_cache / "31337").glob("*.sqlite")] == [f"0x{pinned}.sqlite"]

    again = fork(remote)  # asks only for the chain id, head and block: the rest is on disk
    assert again.fork.remote.client.requests == 2  # type: ignore[union-attr]
    assert again.web3.eth.get_balance(OUTSIDER) == FUNDED
    assert again.web3.eth.get_storage_at(remote.store, 1) == word(7)
    assert again.web3.eth.get_storage_at(remote.store, 0) == word(SLOT0_AT_FORK)
    assert again.fork.remote.client.requests == 3  # type: ignore[union-attr]  # slot 0 only

    Devnet(fork_url=remote.url)  # "latest": a new block each run, never kept on disk
    monkeypatch.setenv("OG_FORK_CACHE", "off")
    fork(remote)
    assert len(list((fork_cache / "31337").glob("*.sqlite"))) == 1


def test_writes_stay_local_and_the_remote_is_unchanged(remote: Remote) -> None:
    head = remote.web3.eth.get_block("latest")
    devnet = fork(remote)
    web3 = devnet.web3
    send(web3, ACCOUNT0, to=remote.store, data=store_data(0, 0))  # a zero over the remote's 42
    send(web3, ACCOUNT0, to=remote.store, data=store_data(9, 5))
    send(web3, ACCOUNT0, to=OUTSIDER, value=10**18)
    local = send(web3, ACCOUNT0, data=DEPLOY_CODE)["contractAddress"]

    assert web3.eth.get_storage_at(remote.store, 0) == word(0)
    assert web3.eth.call({"to": remote.store, "data": load_data(0)}) == word(0)
    assert web3.eth.get_storage_at(remote.store, 9) == word(5)
    assert web3.eth.get_storage_at(remote.store, 1) == word(7)  # untouched: still the remote's
    assert web3.eth.get_balance(OUTSIDER) == FUNDED + 10**18
    assert web3.eth.get_storage_at(remote.store, 0, remote.fork_block) == word(SLOT0_AT_FORK)
    assert devnet.block_number == remote.fork_block + 4
    # a contract created here never asks the remote for its storage
    requests = devnet.fork.remote.client.requests  # type: ignore[union-attr]
    assert web3.eth.get_storage_at(local, 0) == word(42)
    assert web3.eth.get_storage_at(local, 3) == word(0)
    assert devnet.fork.remote.client.requests == requests  # type: ignore[union-attr]

    assert remote.web3.eth.get_block("latest")["hash"] == head["hash"]
    assert remote.web3.eth.get_storage_at(remote.store, 0) == word(SLOT0_LATER)
    assert remote.web3.eth.get_storage_at(remote.store, 9) == word(0)
    assert remote.web3.eth.get_balance(OUTSIDER) == FUNDED + 1
    assert remote.web3.eth.get_code(local) == b""


def test_snapshots_reverts_and_reset_come_back_to_the_remote_state(remote: Remote) -> None:
    devnet = fork(remote)
    web3 = devnet.web3
    snapshot = devnet.snapshot()
    send(web3, ACCOUNT0, to=remote.store, data=store_data(0, 0))
    assert web3.eth.get_storage_at(remote.store, 0) == word(0)
    devnet.revert(snapshot)
    assert web3.eth.get_storage_at(remote.store, 0) == word(SLOT0_AT_FORK)
    assert devnet.block_number == remote.fork_block

    # an account deleted here (self-destruct, EIP-161) is gone here, storage and all
    address = bytes.fromhex(remote.store[2:])
    with devnet.chain.edit_state() as state:
        state.delete_account(address)
    assert web3.eth.get_code(remote.store) == b""
    assert web3.eth.get_storage_at(remote.store, 1) == word(0)
    devnet.revert(snapshot)
    assert web3.eth.get_code(remote.store) == RUNTIME
    assert web3.eth.get_storage_at(remote.store, 1) == word(7)

    send(web3, ACCOUNT0, to=OUTSIDER, value=1)
    devnet.node.request("anvil_reset", [])
    assert devnet.block_number == remote.fork_block
    assert web3.eth.get_balance(OUTSIDER) == FUNDED


def test_the_remote_workflow_runs_locally_with_a_model_pulled_from_the_gateway(
    remote: Remote, gateway: Gateway, tmp_path: Path
) -> None:
    head = remote.web3.eth.block_number
    assert remote_runs(remote) == REMOTE_RUNS_LATER
    devnet = fork(remote, model_sources=[gateway.good], model_cache=tmp_path)
    assert OHLC_CID not in devnet.models

    report = devnet.advance(300)

    assert len(report) == 5 and report.succeeded == 5, report.summary()
    assert [r.contract_address for r in report.runs] == [remote.workflow] * 5
    assert (tmp_path / OHLC_CID).read_bytes() == OHLC  # pulled, checked, cached
    assert gateway.served[f"/good/ipfs/{OHLC_CID}"] == 1  # once, then from memory
    records = [r for r in devnet.inference_log if isinstance(r, InferenceRecord)]
    assert len(records) == 5 and all(r.model_cid == OHLC_CID and r.error is None for r in records)
    record = records[-1]
    expected = run_onnx("ohlc.onnx", {k: np.asarray(v) for k, v in record.inputs.items()})
    assert record.output is not None
    np.testing.assert_allclose(record.output.numbers["price"], expected["price"].ravel(), rtol=1e-6)
    history = devnet.alpha().read_workflow_history(remote.workflow, 5)
    assert len(history) == 5
    (task,) = devnet.scheduler.tasks()
    assert task.runs == 5

    # the remote did none of it
    assert remote.web3.eth.block_number == head
    assert remote_runs(remote) == REMOTE_RUNS_LATER


def remote_runs(remote: Remote) -> int:
    """How many runs the remote's scheduler has made of its task 0."""
    raw = remote.web3.eth.call(
        {
            "to": WORKFLOW_SCHEDULER_ADDRESS,
            "data": selector("getTasks(uint256,uint256)") + encode(["uint256", "uint256"], [0, 1]),
        }
    )
    ((task,),) = decode([f"{TASK}[]"], raw)
    return int(task[5])


def test_a_gateway_serving_other_bytes_is_refused_and_nothing_is_cached(
    remote: Remote, gateway: Gateway, tmp_path: Path
) -> None:
    devnet = fork(remote, model_sources=[gateway.bad], model_cache=tmp_path)
    report = devnet.advance(120)
    assert len(report) == 2 and report.succeeded == 0
    for run in report.failed:
        assert OHLC_CID in (run.error or "") and "refused" in (run.error or ""), run.error
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InferenceError, match=f"whose CID is Qm\\w+, not {OHLC_CID}"):
        devnet.alpha().infer(
            OHLC_CID, InferenceMode.VANILLA, {"open_high_low_close": np.ones((10, 4))}
        )
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_remote_or_a_block_it_lacks_is_a_clear_error(
    remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fork_rpc, "BACKOFF", 0.0)  # the refused connection's retries, at once
    with pytest.raises(ForkError, match=r"has no block 1000000 yet: its latest is block \d+"):
        Devnet(fork_url=remote.url, fork_block_number=1_000_000)
    with pytest.raises(ForkError, match="is not an http\\(s\\) URL"):
        Devnet(fork_url="ws://127.0.0.1:8545")
    with pytest.raises(DevnetError, match="fork_block_number needs fork_url"):
        Devnet(fork_block_number=3)
    with pytest.raises(DevnetError, match="genesis_time and fork_url exclude each other"):
        Devnet(fork_url=remote.url, genesis_time=1)
    closed = _closed_port()
    with pytest.raises(ForkError) as refused:
        Devnet(fork_url=f"http://user:secret@127.0.0.1:{closed}/v2/{'k' * 32}")
    message = str(refused.value)
    assert f"http://***@127.0.0.1:{closed}/v2/***" in message
    assert "Connection refused" in message and "check that the node is running" in message
    assert "secret" not in message and "k" * 32 not in message


def test_a_remote_gone_mid_run_fails_the_call_and_changes_nothing(
    served_remote: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fork_rpc, "BACKOFF", 0.0)
    server = served_remote.server
    devnet = served_remote.fork()
    devnet.fork.remote.client.retries = 1  # type: ignore[union-attr]
    send(devnet.web3, ACCOUNT0, to=OUTSIDER, value=1)
    head = devnet.chain.head.hash
    server.shutdown()
    server.server_close()

    stranger = Web3.to_checksum_address("0x" + "5e" * 20)
    with pytest.raises(RpcError, match=f"cannot read account {stranger} at block 0 from the fork"):
        devnet.node.request("eth_getBalance", [stranger, "latest"])
    with pytest.raises(Web3RPCError, match="check that the node is running"):
        send(devnet.web3, ACCOUNT0, to=stranger, value=1)
    assert devnet.chain.head.hash == head
    assert devnet.web3.eth.get_balance(OUTSIDER) == 1  # what was read is still there


def test_the_chain_id_is_the_remote_s(
    served_remote: Served,
) -> None:
    served_remote.devnet.chain.chain_id = 4242  # a network that is not 31337
    devnet = served_remote.fork()
    assert devnet.chain_id == devnet.web3.eth.chain_id == 4242
    # the CHAINID opcode too: a contract returning chainid()
    code = bytes.fromhex("4660005260206000f3")
    with devnet.chain.edit_state() as state:
        state.set_code(b"\x0c" * 20, code)
    assert devnet.web3.eth.call({"to": Web3.to_checksum_address("0x" + "0c" * 20)}) == word(4242)
    with pytest.raises(Web3RPCError, match="this devnet is chain 4242"):
        send(devnet.web3, ACCOUNT0, to=OUTSIDER, value=1, chainId=31337)
    cid = devnet.models.add(OHLC)
    result = devnet.alpha().infer(
        cid, InferenceMode.VANILLA, {"open_high_low_close": np.ones((10, 4))}
    )
    assert result.transaction_hash and result.model_output["price"].shape == (1,)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("code", ["0x00", "0x60006000fd"], ids=["returns-nothing", "reverts"])
def test_a_fork_of_a_network_whose_scheduler_cannot_list_tasks_still_runs(
    served_remote: Served, code: str
) -> None:
    served_remote.devnet.node.request("anvil_setCode", [WORKFLOW_SCHEDULER_ADDRESS, code])
    devnet = served_remote.fork()
    assert devnet.web3.eth.get_code(WORKFLOW_SCHEDULER_ADDRESS) == bytes.fromhex(code[2:])
    assert devnet.scheduler.tasks() == []
    send(devnet.web3, ACCOUNT0, to=OUTSIDER, value=1)
    assert len(devnet.advance(600)) == 0
    assert devnet.web3.eth.get_balance(OUTSIDER) == 1
