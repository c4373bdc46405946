"""Queries other clients make, answered by the RPC handler (no sockets needed): found by the
load test, where a long chain made each lookup walk every block under the node's lock."""

from __future__ import annotations

import pytest

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceMode
from og_devnet import Devnet
from og_devnet.node import Node
from tests.conftest import MODELS

LINEAR = MODELS / "linear.onnx"


@pytest.fixture(scope="module")
def chain() -> tuple[Node, list[str], str]:
    devnet = Devnet()
    cid = devnet.models.add(LINEAR)
    web3 = devnet.web3
    sender, receiver = devnet.accounts[0].address, devnet.accounts[1].address
    hashes = [
        web3.eth.send_transaction({"from": sender, "to": receiver, "value": i + 1}).to_0x_hex()
        for i in range(40)
    ]
    inference = devnet.alpha(2).infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    return devnet.node, hashes, inference.transaction_hash


def test_every_transaction_and_receipt_is_found_where_it_was_mined(chain) -> None:
    handler, hashes, _ = chain
    for number, tx_hash in enumerate(hashes, start=1):
        tx = handler.request("eth_getTransactionByHash", [tx_hash])
        receipt = handler.request("eth_getTransactionReceipt", [tx_hash])
        assert (tx["hash"], tx["blockNumber"], tx["value"]) == (tx_hash, hex(number), hex(number))
        assert (receipt["transactionHash"], receipt["blockNumber"]) == (tx_hash, hex(number))
        assert receipt["status"] == "0x1"
    assert handler.request("eth_getTransactionReceipt", ["0x" + "11" * 32]) is None
    assert handler.request("eth_getTransactionByHash", ["0x" + "11" * 32]) is None


def test_a_transaction_undone_by_a_revert_is_not_found(chain) -> None:
    handler, _, _ = chain
    devnet = handler.devnet
    snapshot = devnet.snapshot()
    accounts = devnet.accounts
    tx_hash = devnet.web3.eth.send_transaction(
        {"from": accounts[3].address, "to": accounts[4].address, "value": 5}
    ).to_0x_hex()
    assert handler.request("eth_getTransactionReceipt", [tx_hash])["status"] == "0x1"
    devnet.revert(snapshot)
    assert handler.request("eth_getTransactionReceipt", [tx_hash]) is None
    assert handler.request("eth_getTransactionByHash", [tx_hash]) is None


def test_full_blocks_name_transaction_fields_as_transaction_queries_do(chain) -> None:
    handler, hashes, _ = chain
    block = handler.request("eth_getBlockByNumber", ["0x5", True])
    by_hash = handler.request("eth_getBlockByHash", [block["hash"], True])
    assert block["transactions"] == by_hash["transactions"]
    (tx,) = block["transactions"]
    assert tx == handler.request("eth_getTransactionByHash", [hashes[4]])
    assert tx == handler.request("eth_getTransactionByBlockNumberAndIndex", ["0x5", "0x0"])
    assert tx == handler.request("eth_getTransactionByBlockHashAndIndex", [block["hash"], "0x0"])
    assert {"blockHash", "blockNumber", "transactionIndex", "gasPrice", "input", "yParity"} <= set(
        tx
    )
    assert not {"block_hash", "data", "gas_price", "y_parity"} & set(tx)
    assert handler.request("eth_getBlockByNumber", ["0x5", False])["transactions"] == [hashes[4]]


def test_get_logs_takes_a_single_address_as_nodes_do(chain) -> None:
    handler, _, inference_hash = chain
    single = handler.request(
        "eth_getLogs", [{"fromBlock": "0x0", "address": INFERENCE_HUB_ADDRESS}]
    )
    listed = handler.request(
        "eth_getLogs", [{"fromBlock": "0x0", "address": [INFERENCE_HUB_ADDRESS]}]
    )
    assert single == listed
    assert [log["transactionHash"] for log in single] == [inference_hash]
