"""Dev methods with anvil's and Hardhat's semantics, on both transports."""

from __future__ import annotations

import pytest
from eth_account import Account

from .conftest import Failure, Rpc, dev_key, sign
from .scenario import INIT, RECEIVER

SENDER = Account.from_key(dev_key(0)).address
STRANGER = "0x" + "66" * 20
ETHER = "0xde0b6b3a7640000"


def test_the_client_is_one_hardhat_3_helpers_accept(rpc: Rpc) -> None:
    assert rpc("web3_clientVersion").split("/")[0] in ("anvil", "hardhat")
    assert rpc("anvil_nodeInfo")["currentBlockNumber"] == 0
    assert rpc("hardhat_metadata")["chainId"] == 31337


def test_set_balance_is_visible_at_latest_and_the_account_can_send_at_once(rpc: Rpc) -> None:
    for method in ("anvil_setBalance", "hardhat_setBalance"):
        rpc(method, [STRANGER, ETHER])
        assert rpc("eth_getBalance", [STRANGER, "latest"]) == ETHER
    gas = rpc("eth_estimateGas", [{"from": STRANGER, "to": RECEIVER, "value": "0x1"}])
    rpc("anvil_impersonateAccount", [STRANGER])
    tx_hash = rpc(
        "eth_sendTransaction", [{"from": STRANGER, "to": RECEIVER, "value": "0x1", "gas": gas}]
    )
    receipt = rpc("eth_getTransactionReceipt", [tx_hash])
    assert receipt["status"] == "0x1" and receipt["from"] == STRANGER.replace("0x66", "0x66")
    assert rpc("eth_getTransactionByHash", [tx_hash])["from"].lower() == STRANGER
    rpc("anvil_stopImpersonatingAccount", [STRANGER])
    with pytest.raises(Failure) as failure:
        rpc("eth_sendTransaction", [{"from": STRANGER, "to": RECEIVER, "value": "0x1"}])
    assert "no key" in failure.value.message


def test_set_code_storage_and_nonce(rpc: Rpc) -> None:
    runtime = "0x" + INIT[34:]
    for prefix in ("anvil", "hardhat"):
        rpc(f"{prefix}_setCode", [STRANGER, runtime])
        assert rpc("eth_getCode", [STRANGER, "latest"]) == runtime
        rpc(f"{prefix}_setStorageAt", [STRANGER, "0x0", "0x" + (5).to_bytes(32, "big").hex()])
        assert int(rpc("eth_call", [{"to": STRANGER}]), 16) == 5
        rpc(f"{prefix}_setNonce", [SENDER, "0x20"])
        assert rpc("eth_getTransactionCount", [SENDER, "latest"]) == "0x20"


def test_automine_off_queues_until_mined_and_drop_removes(rpc: Rpc) -> None:
    assert rpc("anvil_getAutomine") is True
    rpc("evm_setAutomine", [False])
    assert rpc("hardhat_getAutomine") is False
    head = rpc("eth_blockNumber")
    first = rpc(
        "eth_sendRawTransaction",
        [sign(rpc, {"to": RECEIVER, "value": 1, "gas": 21000, "gasPrice": 3 * 10**9})],
    )
    second = rpc(
        "eth_sendRawTransaction",
        [sign(rpc, {"to": RECEIVER, "value": 2, "gas": 21000, "gasPrice": 3 * 10**9})],
    )
    assert rpc("eth_getTransactionReceipt", [first]) is None
    assert rpc("txpool_status") == {"pending": "0x2", "queued": "0x0"}
    assert rpc("eth_blockNumber") == head
    assert rpc("anvil_dropTransaction", [second]) == second
    assert rpc("txpool_status")["pending"] == "0x1"
    rpc("evm_mine")
    block = rpc("eth_getBlockByNumber", ["latest", False])
    assert block["transactions"] == [first]
    assert rpc("eth_getTransactionByHash", [second]) is None
    rpc("evm_setAutomine", [True])


def test_mine_count_and_interval_and_increase_time(rpc: Rpc) -> None:
    start = int(rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
    rpc("anvil_mine", ["0x3", "0x3c"])
    rpc("hardhat_mine", ["0x2"])
    blocks = [rpc("eth_getBlockByNumber", [hex(n), False]) for n in range(1, 6)]
    times = [int(b["timestamp"], 16) - start for b in blocks]
    assert times == [60, 120, 180, 181, 182]
    assert rpc("evm_increaseTime", [3600]) == 3600
    rpc("evm_mine")
    assert (
        int(rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16) - start == 182 + 3600
    )
    rpc("evm_setNextBlockTimestamp", [hex(start + 10_000)])
    rpc("evm_mine")
    assert int(rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16) == start + 10_000


def test_base_fee_gas_limit_and_coinbase(rpc: Rpc) -> None:
    rpc("anvil_setNextBlockBaseFeePerGas", ["0x2540be400"])
    rpc("evm_setBlockGasLimit", ["0x1c9c380"])
    rpc("anvil_setCoinbase", [STRANGER])
    rpc("evm_mine")
    block = rpc("eth_getBlockByNumber", ["latest", False])
    assert block["baseFeePerGas"] == "0x2540be400"
    assert block["gasLimit"] == "0x1c9c380"
    assert block["miner"].lower() == STRANGER


def test_reset_returns_to_genesis(rpc: Rpc) -> None:
    rpc("eth_sendTransaction", [{"from": SENDER, "to": RECEIVER, "value": "0x1"}])
    genesis = rpc("eth_getBlockByNumber", ["0x0", False])
    rpc("anvil_reset")
    assert rpc("eth_blockNumber") == "0x0"
    assert rpc("eth_getBlockByNumber", ["latest", False]) == genesis
    assert rpc("eth_getTransactionCount", [SENDER, "latest"]) == "0x0"


def test_transactions_see_their_blocks_prevrandao(rpc: Rpc) -> None:
    """PREVRANDAO inside a transaction is its block's mixHash, as in geth and anvil."""
    store_prevrandao = "0x445f5500"  # PREVRANDAO PUSH0 SSTORE STOP
    rpc("anvil_setCode", [STRANGER, store_prevrandao])
    rpc("eth_sendTransaction", [{"from": SENDER, "to": STRANGER, "gas": "0x186a0"}])
    block = rpc("eth_getBlockByNumber", ["latest", False])
    assert rpc("eth_getStorageAt", [STRANGER, "0x0"]) == block["mixHash"] != "0x" + "00" * 32
