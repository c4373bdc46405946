"""Foundry's ``cast`` and ``forge`` (1.7.1, from npm) against ``og devnet``, as a user runs them.

The contract is the example project's ``ModelCaller`` (examples/foundry): it imports the shipped
interface of the inference precompile at 0x…F4, runs linear.onnx in ``predict`` and stores the
first output number. Every model output is compared with onnxruntime run directly. Each test
sets up what it needs with web3.py, so that a failing tool fails only its own test.
"""

from __future__ import annotations

import json
import re

from web3 import Web3

from tests.clients.conftest import (
    ADDRESS,
    CHAIN_ID,
    FOUNDRY_PROJECT,
    KEY,
    LINEAR_CID,
    PREDICTED_EVENT,
    SLOT_COUNT,
    SLOT_PREDICTION,
    Build,
    cast,
    deploy_with_web3,
    foundry_binary,
    model_output,
    number,
    packed_prediction,
    predict_with_web3,
    run,
)
from tests.server.conftest import Node

PREDICT = "predict(int128[3],int128)"
PREDICTION = "prediction()(int128,int128)"


def hex_to_int(value: str | int) -> int:
    return value if isinstance(value, int) else int(value, 16)


def test_cast_call_reads_a_stored_model_output(node: Node, web3: Web3, forge_build: Build) -> None:
    address = deploy_with_web3(web3, forge_build)
    predict_with_web3(web3, forge_build, address, [1, 2, 3], 0)

    assert cast("chain-id", "--rpc-url", node.url).check().stdout.strip() == str(CHAIN_ID)
    cid = cast("call", address, "modelCID()(string)", "--rpc-url", node.url, "--json").json()
    assert cid == [LINEAR_CID]
    value, decimals = cast("call", address, PREDICTION, "--rpc-url", node.url, "--json").json()
    assert number(int(value), int(decimals)) == model_output([1, 2, 3], 0)


def test_cast_estimate_covers_a_model_run(node: Node, web3: Web3, forge_build: Build) -> None:
    address = deploy_with_web3(web3, forge_build)
    estimate = cast(
        "estimate", address, PREDICT, "[1,2,3]", "0", "--from", ADDRESS, "--rpc-url", node.url
    ).check()
    gas = int(estimate.stdout.strip())
    # the same call, sent: the estimate must be enough for it
    receipt = predict_with_web3(web3, forge_build, address, [1, 2, 3], 0)
    assert receipt["gasUsed"] <= gas <= 30_000_000


def test_cast_send_runs_the_model_and_receipt_shows_it(
    node: Node, web3: Web3, forge_build: Build
) -> None:
    address = deploy_with_web3(web3, forge_build)
    sent = cast(
        "send", address, PREDICT, "[50,-150,225]", "2",
        "--private-key", KEY, "--rpc-url", node.url, "--json",
    ).json()  # fmt: skip
    assert sent["status"] == "0x1", sent
    tx_hash = sent["transactionHash"]

    receipt = cast("receipt", tx_hash, "--rpc-url", node.url, "--json").json()
    assert receipt["status"] == "0x1"
    assert receipt["transactionHash"] == tx_hash
    assert Web3.to_checksum_address(receipt["to"]) == address
    assert Web3.to_checksum_address(receipt["from"]) == ADDRESS
    assert (
        cast("receipt", tx_hash, "status", "--rpc-url", node.url).check().stdout.strip() == "true"
    )
    # the precompile's ModelInferenceEvent, then the contract's Predicted(caller, value, decimals)
    ours = [log for log in receipt["logs"] if Web3.to_checksum_address(log["address"]) == address]
    assert len(ours) == 1
    assert ours[0]["topics"][0] == Web3.keccak(text=PREDICTED_EVENT).to_0x_hex()
    logged = ours[0]["data"][2:]
    value = int.from_bytes(bytes.fromhex(logged[:64]), "big", signed=True)
    decimals = int.from_bytes(bytes.fromhex(logged[64:128]), "big", signed=True)
    assert number(value, decimals) == model_output([50, -150, 225], 2)

    stored = cast("call", address, PREDICTION, "--rpc-url", node.url, "--json").json()
    assert (int(stored[0]), int(stored[1])) == (value, decimals)


def test_cast_storage_at_a_block(node: Node, web3: Web3, forge_build: Build) -> None:
    address = deploy_with_web3(web3, forge_build)
    first = predict_with_web3(web3, forge_build, address, [1, 2, 3], 0)["blockNumber"]
    second = predict_with_web3(web3, forge_build, address, [4, 5, 6], 0)["blockNumber"]

    def storage(slot: int, block: int) -> str:
        args = ["storage", address, str(slot), "--block", str(block), "--rpc-url", node.url]
        return cast(*args).check().stdout.strip()

    assert int(storage(SLOT_PREDICTION, first - 1), 16) == 0
    assert int(storage(SLOT_COUNT, first - 1), 16) == 0
    assert number(*packed_prediction(storage(SLOT_PREDICTION, first))) == model_output([1, 2, 3], 0)
    assert int(storage(SLOT_COUNT, first), 16) == 1
    assert number(*packed_prediction(storage(SLOT_PREDICTION, second))) == model_output(
        [4, 5, 6], 0
    )
    assert int(storage(SLOT_COUNT, second), 16) == 2


def test_forge_create_then_cast_send_and_call(node: Node, web3: Web3, forge_build: Build) -> None:
    created = run(
        [
            foundry_binary("forge"), "create", "src/ModelCaller.sol:ModelCaller",
            "--rpc-url", node.url, "--private-key", KEY, "--broadcast",
            "--constructor-args", LINEAR_CID,
        ],
        cwd=FOUNDRY_PROJECT,
        env=forge_build.env,
    ).check()  # fmt: skip
    address = re.search(r"Deployed to: (0x[0-9a-fA-F]{40})", created.stdout)
    tx_hash = re.search(r"Transaction hash: (0x[0-9a-fA-F]{64})", created.stdout)
    assert address and tx_hash, created.stdout
    receipt = web3.eth.get_transaction_receipt(tx_hash.group(1))
    assert receipt["status"] == 1
    assert receipt["contractAddress"] == Web3.to_checksum_address(address.group(1))
    assert (
        web3.eth.get_code(receipt["contractAddress"]).to_0x_hex() == forge_build.deployed_bytecode
    )

    contract = receipt["contractAddress"]
    sent = cast(
        "send", contract, PREDICT, "[7,-8,9]", "0",
        "--private-key", KEY, "--rpc-url", node.url, "--json",
    ).json()  # fmt: skip
    assert sent["status"] == "0x1", sent
    value, decimals = cast("call", contract, PREDICTION, "--rpc-url", node.url, "--json").json()
    assert number(int(value), int(decimals)) == model_output([7, -8, 9], 0)


def test_forge_script_broadcast(node: Node, web3: Web3, forge_build: Build, tmp_path) -> None:
    # forge runs the script in its own EVM first, where 0x…F4 has no code: --skip-simulation
    # (what the example's README says to pass) sends the recorded transactions without
    # simulating them there a second time.
    broadcast = tmp_path / "broadcast"
    run(
        [
            foundry_binary("forge"), "script", "script/ModelCaller.s.sol:Deploy",
            "--rpc-url", node.url, "--broadcast", "--skip-simulation",
        ],
        cwd=FOUNDRY_PROJECT,
        env={
            **forge_build.env,
            "FOUNDRY_BROADCAST": str(broadcast),
            "MODEL_CID": LINEAR_CID,
            "PRIVATE_KEY": KEY,
        },
    ).check()  # fmt: skip
    record = json.loads(
        (broadcast / "ModelCaller.s.sol" / str(CHAIN_ID) / "run-latest.json").read_text()
    )
    kinds = [tx["transactionType"] for tx in record["transactions"]]
    assert kinds == ["CREATE", "CALL"]
    assert len(record["receipts"]) == 2
    for saved in record["receipts"]:
        receipt = web3.eth.get_transaction_receipt(saved["transactionHash"])
        assert receipt["status"] == 1
        assert hex_to_int(saved["status"]) == 1
    address = Web3.to_checksum_address(record["transactions"][0]["contractAddress"])
    assert web3.eth.get_code(address).to_0x_hex() == forge_build.deployed_bytecode
    caller = web3.eth.contract(address=address, abi=forge_build.abi)
    value, decimals = caller.functions.prediction().call()
    assert number(value, decimals) == model_output([1, 2, 3], 0)
    assert caller.functions.predictions().call() == 1
