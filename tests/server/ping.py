"""A minimal contract for subscription tests: every call emits ``Ping(uint256 indexed tag,
uint256 value)`` from its calldata ``tag ‖ value`` (two 32-byte words).

Hand-assembled so the tests need no compiler:
runtime  ``calldatacopy(0, 32, 32); log2(0, 32, PING_TOPIC, calldataload(0)); stop``
init     ``codecopy(0, 12, len(runtime)); return(0, len(runtime))``, followed by the runtime
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from og_devnet.accounts import dev_key

PING_EVENT = "Ping(uint256,uint256)"
PING_TOPIC = keccak(text=PING_EVENT)
PING_ABI = [
    {
        "type": "event",
        "name": "Ping",
        "anonymous": False,
        "inputs": [
            {"name": "tag", "type": "uint256", "indexed": True},
            {"name": "value", "type": "uint256", "indexed": False},
        ],
    }
]
RUNTIME = (
    bytes.fromhex("60206020600037600035")  # calldatacopy(0, 32, 32); calldataload(0)
    + b"\x7f"
    + PING_TOPIC  # push32 topic0
    + bytes.fromhex("60206000a200")  # log2(0, 32, topic0, tag); stop
)
INIT_CODE = bytes([0x60, len(RUNTIME), 0x60, 0x0C, 0x60, 0x00, 0x39]) + bytes(
    [0x60, len(RUNTIME), 0x60, 0x00, 0xF3]
)
assert len(INIT_CODE) == 12
KEY = dev_key(0)
SENDER = Account.from_key(KEY).address


def ping_data(tag: int, value: int) -> bytes:
    return tag.to_bytes(32, "big") + value.to_bytes(32, "big")


def _send(web3: Web3, tx: dict[str, Any]) -> Any:
    tx = {
        "chainId": 31337,
        "nonce": web3.eth.get_transaction_count(SENDER),
        "gas": 200_000,
        "gasPrice": 2 * 10**9,
        **tx,
    }
    signed = Account.sign_transaction(tx, KEY)
    receipt = web3.eth.wait_for_transaction_receipt(
        web3.eth.send_raw_transaction(signed.raw_transaction), timeout=60
    )
    assert receipt["status"] == 1, receipt
    return receipt


def deploy_ping(web3: Web3) -> str:
    """Deploy the Ping contract from dev account 0; returns its checksum address."""
    address = _send(web3, {"data": INIT_CODE + RUNTIME})["contractAddress"]
    assert web3.eth.get_code(address) == RUNTIME
    return str(address)


def ping(web3: Web3, address: str, tag: int, value: int) -> Any:
    """Call the Ping contract (dev account 0); returns the receipt."""
    return _send(web3, {"to": address, "data": ping_data(tag, value)})
