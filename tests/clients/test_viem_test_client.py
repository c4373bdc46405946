"""viem's test client (2.57, from npm) against ``og devnet``, in both of its modes:
``createTestClient({mode: 'anvil' | 'hardhat', transport: http(url)})``, extended with the
public and wallet actions a dapp uses on the same client.

Each test runs one scenario of ``viem_test_client.mjs`` (the actions as a user calls them) and
asserts what it observed; web3.py reads the chain to check that what viem saw is what happened,
and model outputs are compared with onnxruntime run directly. Every scenario works relative to
the chain it finds (fresh addresses per mode, block numbers and times from the start), so the
tests share one node per module in any order. A failing script prints its JSON-RPC traffic.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3
from web3.exceptions import BlockNotFound

from og_devnet.accounts import dev_key
from tests.clients.conftest import (
    ADDRESS,
    CLIENTS,
    LINEAR_CID,
    MODELS,
    Build,
    deploy_with_web3,
    model_output,
    number,
    packed_prediction,
    predict_with_web3,
    run,
)
from tests.server.conftest import Node, start_node

MODES = ["anvil", "hardhat"]
ETHER = 10**18
GWEI = 10**9
DEV = [Account.from_key(dev_key(i)).address for i in range(4)]
KEYS = {"OG_DEV_KEYS": ",".join("0x" + dev_key(i).hex() for i in range(4))}


def viem(node: Node, mode: str, scenario: str, *args: str) -> dict[str, Any]:
    """Run one scenario of viem_test_client.mjs; its observations as JSON."""
    script = str(CLIENTS / "viem_test_client.mjs")
    observed = run(["node", script, node.url, mode, scenario, *args], cwd=CLIENTS, env=KEYS).json()
    assert observed["version"] == "anvil/v1.7.1 og-devnet/0.2.0"
    return observed


def fresh(mode: str, n: int) -> str:
    """An address no other test uses: one per (mode, n)."""
    return Web3.to_checksum_address(f"0x{MODES.index(mode) + 1:02x}{n:02x}" + "e" * 36)


def block(web3: Web3, number: int | str) -> Any:
    return web3.eth.get_block(int(number))


@pytest.mark.parametrize("mode", MODES)
def test_balances_impersonation_nonce_code_and_storage(
    node: Node, web3: Web3, forge_build: Build, mode: str
) -> None:
    stranger, unsigned, receiver, at = (fresh(mode, n) for n in range(4))
    nonced = Account.from_key(Web3.keccak(text=f"viem nonce {mode}"))
    got = viem(
        node, mode, "accounts", str(forge_build.artifact),
        stranger, unsigned, receiver, "0x" + bytes(nonced.key).hex(), at,
    )  # fmt: skip

    # setBalance, and the account sends at once (impersonated, through a wallet client)
    assert int(got["balanceSet"]) == 5 * ETHER
    sent = got["walletReceipt"]
    assert sent["status"] == "success" and sent["from"].lower() == stranger.lower()
    fee = int(sent["gasUsed"]) * int(sent["effectiveGasPrice"])
    assert int(got["strangerAfterWallet"]) == 4 * ETHER - fee
    assert int(got["receiverAfterWallet"]) == ETHER
    assert web3.eth.get_transaction(sent["hash"])["from"] == stranger
    # stopImpersonatingAccount: the node no longer sends for it, and says why
    assert got["afterStop"]["name"] == "TransactionExecutionError"
    assert f"no key for {stranger}" in got["afterStop"]["details"]

    # sendUnsignedTransaction (eth_sendUnsignedTransaction) runs as `from`
    assert got["unsignedReceipt"]["status"] == "success"
    assert got["unsignedTransaction"]["from"].lower() == unsigned.lower()
    # the wallet's 1 ether, this 0.5 and the nonce test's 1 wei below
    assert web3.eth.get_balance(receiver) == ETHER + ETHER // 2 + 1

    # setNonce: the account's next transaction carries it
    assert got["nonceSet"] == 41
    assert got["noncedTransaction"]["nonce"] == 41
    assert got["noncedReceipt"]["status"] == "success"
    assert got["nonceAfter"] == 42 == web3.eth.get_transaction_count(nonced.address)

    # setCode and setStorageAt: ModelCaller's runtime reads the stored prediction from slot 1
    assert got["code"] == forge_build.deployed_bytecode == web3.eth.get_code(at).to_0x_hex()
    assert packed_prediction(got["slot1"]) == (1234, 3)
    assert packed_prediction(web3.eth.get_storage_at(at, 1)) == (1234, 3)
    assert got["prediction"] == ["1234", "3"]


@pytest.mark.parametrize("mode", MODES)
def test_base_fee_coinbase_gas_limit_mining_and_time(node: Node, web3: Web3, mode: str) -> None:
    coinbase = fresh(mode, 9)
    got = viem(node, mode, "blocks", coinbase)

    edited = got["edited"]
    assert int(edited["baseFeePerGas"]) == 7 * GWEI
    assert edited["miner"].lower() == coinbase.lower()
    assert int(edited["gasLimit"]) == 45_000_000
    assert block(web3, edited["number"])["miner"] == coinbase
    assert int(got["gasLimitRestored"]) == web3.eth.get_block("latest")["gasLimit"] != 45_000_000

    # mine({blocks: 3, interval: 60}): three blocks, 60 s apart, the first 60 s after the head
    start = int(got["beforeMine"]["timestamp"])
    assert [int(b["timestamp"]) - start for b in got["mined"]] == [60, 120, 180]
    assert [int(b["number"]) for b in got["mined"]] == [
        int(got["beforeMine"]["number"]) + i for i in (1, 2, 3)
    ]

    # increaseTime(3600), then mine: the block is an hour after the last
    assert int(got["afterIncrease"]["timestamp"]) - int(got["mined"][-1]["timestamp"]) == 3600
    # setNextBlockTimestamp(T), then mine({blocks: 2, interval: 10}): T, then T + 10
    at = int(got["afterIncrease"]["timestamp"]) + 1000
    assert [int(b["timestamp"]) for b in got["afterSetNext"]] == [at, at + 10]
    assert [block(web3, b["number"])["timestamp"] for b in got["afterSetNext"]] == [at, at + 10]

    # setMinGasPrice is refused while EIP-1559 is on (as anvil), naming what to use instead
    assert got["minGasPrice"]["name"] == "InvalidParamsRpcError"
    assert "setNextBlockBaseFeePerGas" in got["minGasPrice"]["details"]


@pytest.mark.parametrize("mode", MODES)
def test_automine_off_txpool_drop_and_mine(node: Node, web3: Web3, mode: str) -> None:
    receiver = fresh(mode, 10)
    got = viem(node, mode, "txpool", receiver)

    assert got["automineOff"] is False and got["automineOn"] is True
    hashes, senders = got["hashes"], got["senders"]
    assert senders == DEV[1:4]
    # queued, not mined
    assert got["headWhileQueued"] == got["headBefore"]
    assert got["receiptWhileQueued"]["name"] == "TransactionReceiptNotFoundError"
    assert got["status"] == {"pending": 3, "queued": 0}
    nonces = [web3.eth.get_transaction(h)["nonce"] for h in (hashes[0], hashes[2])]
    pending = got["content"]["pending"]
    assert pending[senders[0]][str(nonces[0])]["hash"] == hashes[0]
    assert pending[senders[2]][str(nonces[1])]["hash"] == hashes[2]
    assert {len(by_nonce) for by_nonce in pending.values()} == {1}
    summary = got["inspect"]["pending"][senders[1]]
    assert len(summary) == 1
    assert next(iter(summary.values())).startswith(f"{receiver}: {ETHER // 4} wei + 21000 gas × ")
    # dropTransaction removes one; mine includes the others
    assert got["statusAfterDrop"] == {"pending": 2, "queued": 0}
    assert got["dropped"]["name"] == "TransactionNotFoundError"
    mined = got["minedBlock"]
    assert int(mined["number"]) == int(got["headBefore"]) + 1
    assert mined["transactions"] == [hashes[0], hashes[2]]
    assert [r["status"] for r in got["receipts"]] == ["success", "success"]
    assert got["statusAfterMine"] == {"pending": 0, "queued": 0}
    assert web3.eth.get_balance(receiver) == 2 * ETHER // 4


@pytest.mark.parametrize("mode", MODES)
def test_interval_mining_makes_blocks_until_switched_off(node: Node, web3: Web3, mode: str) -> None:
    got = viem(node, mode, "intervalMining")

    start = int(got["start"])
    assert [int(n) for n in got["seen"][:2]] == [start + 1, start + 2]
    first, second, third = got["blocks"]
    assert [b["transactions"] for b in (second, third)] == [[], []]
    # each block a second of chain time after the one before
    assert int(second["timestamp"]) - int(first["timestamp"]) == 1
    assert int(third["timestamp"]) - int(second["timestamp"]) == 1
    assert web3.provider.make_request("anvil_getIntervalMining", [])["result"] == 0  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_snapshot_and_revert(node: Node, web3: Web3, forge_build: Build, mode: str) -> None:
    stranger = fresh(mode, 11)
    got = viem(node, mode, "snapshot", str(forge_build.artifact), stranger, LINEAR_CID)

    assert got["deployment"]["status"] == "success"
    assert int(got["changed"]["balance"]) == 9 * ETHER
    assert int(got["changed"]["block"]["number"]) == int(got["before"]["number"]) + 3
    # reverted: the same head, the balance and the deployment gone
    assert got["after"] == got["before"]
    assert got["balanceAfter"] == got["balanceBefore"] == "0"
    assert got["codeAfter"] is None
    assert got["deploymentAfter"]["name"] == "TransactionReceiptNotFoundError"
    with pytest.raises(BlockNotFound):
        web3.eth.get_block(int(got["before"]["number"]) + 1)
    assert web3.eth.get_code(got["deployment"]["contractAddress"]) == b""


@pytest.mark.parametrize(
    ("mode", "x", "decimals"), [("anvil", [1, 2, 3], 0), ("hardhat", [25, -50, 75], 1)]
)
def test_a_dapp_deploys_runs_the_model_and_reads_it_back(
    node: Node, web3: Web3, forge_build: Build, mode: str, x: list[int], decimals: int
) -> None:
    got = viem(
        node, mode, "dapp", str(forge_build.artifact), LINEAR_CID, *map(str, x), str(decimals)
    )
    expected = model_output(x, decimals)
    address = got["address"]

    assert got["deployment"]["status"] == "success"
    assert web3.eth.get_code(address).to_0x_hex() == forge_build.deployed_bytecode
    # estimate, simulate, send, read: the model's output everywhere
    for value, out_decimals in (got["simulated"], got["prediction"], got["call"]):
        assert number(int(value), int(out_decimals)) == expected
    receipt = got["receipt"]
    assert receipt["status"] == "success" and receipt["to"].lower() == address.lower()
    assert got["receiptAgain"] == receipt
    assert int(got["estimate"]) >= int(receipt["gasUsed"])
    assert web3.eth.get_transaction_receipt(receipt["hash"])["gasUsed"] == int(receipt["gasUsed"])
    # getLogs (getContractEvents): the Predicted event of that transaction, decoded
    [log] = got["logs"]
    assert (
        log["transactionHash"] == receipt["hash"] and log["blockNumber"] == receipt["blockNumber"]
    )
    assert log["args"]["caller"] == ADDRESS
    assert number(int(log["args"]["value"]), int(log["args"]["decimals"])) == expected
    # getBlock with its transactions
    assert got["block"]["transactions"] == [receipt["hash"]]
    assert got["block"]["hash"] == block(web3, receipt["blockNumber"])["hash"].to_0x_hex()
    assert got["badCall"] == {"name": "CallExecutionError", "details": "execution reverted"}
    assert got["estimateTransfer"] == "21000"
    # watchBlockNumber by polling: the current number, then each block mined after it
    start = int(got["watch"]["start"])
    assert [int(n) for n in got["watch"]["seen"]] == [start, start + 1, start + 2, start + 3]


@pytest.mark.parametrize("mode", MODES)
def test_reset_returns_to_genesis_and_keeps_the_models(
    node: Node, web3: Web3, forge_build: Build, mode: str
) -> None:
    got = viem(node, mode, "reset", fresh(mode, 12))

    assert int(got["before"]) > 0
    assert got["after"] == got["genesis"] and got["after"]["number"] == "0"
    assert got["nonce"] == 0
    assert got["transaction"]["name"] == "TransactionNotFoundError"
    assert got["automine"] is True
    assert web3.eth.block_number == 0
    # the models the node was started with are still there
    address = deploy_with_web3(web3, forge_build)
    predict_with_web3(web3, forge_build, address, [1, 2, 3], 0)
    caller = web3.eth.contract(address=address, abi=forge_build.abi)
    assert number(*caller.functions.prediction().call()) == model_output([1, 2, 3], 0)


def test_dump_state_then_load_it_into_another_node(
    node: Node, web3: Web3, forge_build: Build, tmp_path: Path
) -> None:
    address = deploy_with_web3(web3, forge_build)
    predict_with_web3(web3, forge_build, address, [4, 5, 6], 1)
    dumped = viem(node, "anvil", "dump")
    state = tmp_path / "state.hex"
    state.write_text(dumped["state"])

    other = start_node("--models", str(MODELS))
    try:
        loaded = viem(other, "anvil", "load", str(state))
        assert loaded["block"] == dumped["block"]
        there = Web3(Web3.HTTPProvider(other.url))
        assert there.eth.get_code(address) == web3.eth.get_code(address)
        assert there.eth.get_storage_at(address, 1) == web3.eth.get_storage_at(address, 1)
        assert there.eth.get_balance(ADDRESS) == web3.eth.get_balance(ADDRESS)
        assert there.eth.get_transaction_count(ADDRESS) == web3.eth.get_transaction_count(ADDRESS)
        # the loaded chain goes on: a prediction there runs the model
        predict_with_web3(there, forge_build, address, [7, 8, 9], 0)
        caller = there.eth.contract(address=address, abi=forge_build.abi)
        assert number(*caller.functions.prediction().call()) == model_output([7, 8, 9], 0)
        assert there.eth.block_number == int(dumped["block"]["number"]) + 1
    finally:
        other.kill(signal.SIGTERM)


def test_dump_state_in_hardhat_mode_is_refused_as_hardhat_refuses_it(node: Node) -> None:
    """viem's hardhat mode sends hardhat_dumpState, which Hardhat does not have either."""
    got = viem(node, "hardhat", "dumpRefused")
    assert got["dump"]["name"] == "MethodNotFoundRpcError"
    assert "hardhat_dumpState does not exist" in got["dump"]["details"]
