"""ethers' WebSocketProvider and viem's webSocket transport against og devnet's eth_subscribe.

Each script (tests/clients/websocket_*.mjs) subscribes the way the library does, sends three
Pings over the same socket (raw transactions signed by dev key 0) and prints what each
listener received; here that is checked against the chain, read with web3.py over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from tests.clients.conftest import KEY, node_script
from tests.server.conftest import Node
from tests.server.ping import PING_TOPIC, deploy_ping

SENT = [(7, 100), (8, 200), (7, 300)]


def ws_url(node: Node) -> str:
    return "ws" + node.url.removeprefix("http")


@pytest.fixture(scope="module")
def ping_contract(web3: Web3) -> str:
    return deploy_ping(web3)


def checked_against_chain(web3: Web3, address: str, sent: list[dict[str, Any]]) -> None:
    """What the script says it sent is what the chain holds: one Ping log per transaction."""
    assert [(s["tag"], s["value"]) for s in sent] == SENT
    for s in sent:
        receipt = web3.eth.get_transaction_receipt(s["hash"])
        assert receipt["blockNumber"] == s["block"]
        (log,) = receipt["logs"]
        assert log["address"] == address
        assert bytes(log["topics"][0]) == PING_TOPIC
        assert int.from_bytes(log["topics"][1], "big") == s["tag"]
        assert int.from_bytes(log["data"], "big") == s["value"]


def events(received: list[dict[str, Any]]) -> list[tuple[int, int, str, int]]:
    """The listener's Pings apart from the warm-up ones (value 0), in arrival order."""
    return [(e["tag"], e["value"], e["hash"], e["block"]) for e in received if e["value"] > 0]


def expected(sent: list[dict[str, Any]], tag: int | None = None) -> list[tuple[int, int, str, int]]:
    return [(s["tag"], s["value"], s["hash"], s["block"]) for s in sent if tag in (None, s["tag"])]


def test_ethers_websocket_provider_blocks_and_contract_events(
    node: Node, web3: Web3, ping_contract: str
) -> None:
    out = node_script("websocket_ethers.mjs", ws_url(node), ping_contract, KEY).json()
    sent = out["sent"]
    checked_against_chain(web3, ping_contract, sent)
    assert events(out["all"]) == expected(sent)
    assert events(out["tagged"]) == expected(sent, tag=7)
    # "block" fires for each block, in order, the sent ones among them
    assert out["blocks"] == sorted(set(out["blocks"]))
    assert {s["block"] for s in sent} <= set(out["blocks"])


def test_viem_watchers_over_websocket(node: Node, web3: Web3, ping_contract: str) -> None:
    out = node_script("websocket_viem.mjs", ws_url(node), ping_contract, KEY).json()
    assert out["errors"] == []
    sent = out["sent"]
    checked_against_chain(web3, ping_contract, sent)
    assert events(out["all"]) == expected(sent)  # watchContractEvent
    assert events(out["tagged"]) == expected(sent, tag=7)  # watchEvent with args
    # watchBlocks: the chain's blocks, by number and hash
    for block in out["blocks"]:
        assert "0x" + bytes(web3.eth.get_block(block["number"])["hash"]).hex() == block["hash"]
    assert {s["block"] for s in sent} <= {b["number"] for b in out["blocks"]}
    # watchPendingTransactions: every sent hash, in the order sent
    pending = out["pending"]
    assert [h for h in pending if h in {s["hash"] for s in sent}] == [s["hash"] for s in sent]
