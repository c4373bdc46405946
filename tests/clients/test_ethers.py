"""ethers 6 (from npm) against ``og devnet``: deploying with ``ContractFactory`` and
``waitForDeployment()``, and an event subscription over the HTTP provider (``contract.on``,
which installs a filter and polls it) receiving an event of a transaction that runs a model.

The scripts are ``deploy.mjs`` and ``events.mjs`` here; the contract is the example project's
``ModelCaller`` (examples/foundry), built by forge. What they report is checked with web3.py
and the model outputs with onnxruntime run directly.
"""

from __future__ import annotations

from web3 import Web3

from tests.clients.conftest import (
    ADDRESS,
    KEY,
    LINEAR_CID,
    Build,
    deploy_with_web3,
    model_output,
    node_script,
    number,
)
from tests.server.conftest import Node


def test_contract_factory_deploy_and_wait_for_deployment(
    node: Node, web3: Web3, forge_build: Build
) -> None:
    deployed = node_script(
        "deploy.mjs", node.url, KEY, str(forge_build.artifact), LINEAR_CID
    ).json()
    address = Web3.to_checksum_address(deployed["address"])
    receipt = web3.eth.get_transaction_receipt(deployed["hash"])
    assert receipt["status"] == 1
    assert receipt["contractAddress"] == address
    assert web3.eth.get_code(address).to_0x_hex() == forge_build.deployed_bytecode
    caller = web3.eth.contract(address=address, abi=forge_build.abi)
    assert caller.functions.modelCID().call() == LINEAR_CID


def test_event_subscription_receives_the_model_output(
    node: Node, web3: Web3, forge_build: Build
) -> None:
    address = deploy_with_web3(web3, forge_build)
    got = node_script(
        "events.mjs", node.url, KEY, str(forge_build.artifact), address, "25,-50,75", "1"
    ).json()
    event, receipt = got["event"], got["receipt"]
    assert receipt["status"] == 1
    assert event["transactionHash"] == receipt["hash"]
    assert event["blockNumber"] == receipt["blockNumber"]
    assert Web3.to_checksum_address(event["address"]) == address
    assert Web3.to_checksum_address(event["caller"]) == ADDRESS
    expected = model_output([25, -50, 75], 1)
    assert number(int(event["value"]), int(event["decimals"])) == expected
    # the transaction ethers sent is the one on chain, and it stored what the event says
    mined = web3.eth.get_transaction_receipt(receipt["hash"])
    assert mined["status"] == 1 and mined["blockNumber"] == receipt["blockNumber"]
    caller = web3.eth.contract(address=address, abi=forge_build.abi)
    assert number(*caller.functions.prediction().call()) == expected
