"""A small chain with one of everything, built through JSON-RPC alone: transfers of every
transaction type, a contract created (with storage and an event), a call that logs, an
inference through the hub (logs from 0x…F4 and the hub), and a node-signed transaction."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from eth_account import Account

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceMode
from og_alpha.wire import encode_hub_run, encode_model_input
from tests.conftest import MODELS

from .conftest import Rpc, dev_key, sign

TOPIC = "0x" + "ab" * 32
# constructor: sstore(0, 42), return the runtime. runtime: mem[0] = sload(0); with calldata,
# sstore(0, calldataload(0)) and log1(mem[0..32], TOPIC); return mem[0..32].
RUNTIME = "6000546000523615603757600035600055" + "7f" + "ab" * 32 + "60206000a1" + "5b60206000f3"
INIT = "602a600055603d6011600039603d6000f3" + RUNTIME
RECEIVER = Account.from_key(dev_key(5)).address


@dataclass
class Built:
    legacy: str
    eip1559: str
    eip2930: str
    creation: str
    contract: str
    logged: str
    inference: str
    node_signed: str
    cid: str


def build(rpc: Rpc) -> Built:
    sender = Account.from_key(dev_key(0)).address
    legacy = rpc(
        "eth_sendRawTransaction",
        [sign(rpc, {"to": RECEIVER, "value": 1, "gas": 21000, "gasPrice": 3 * 10**9})],
    )
    eip1559 = rpc(
        "eth_sendRawTransaction",
        [
            sign(
                rpc,
                {
                    "to": RECEIVER,
                    "value": 2,
                    "gas": 21000,
                    "maxFeePerGas": 3 * 10**9,
                    "maxPriorityFeePerGas": 10**9,
                },
            )
        ],
    )
    eip2930 = rpc(
        "eth_sendRawTransaction",
        [
            sign(
                rpc,
                {
                    "to": RECEIVER,
                    "value": 3,
                    "gas": 30000,
                    "gasPrice": 3 * 10**9,
                    "accessList": [{"address": RECEIVER, "storageKeys": ["0x" + "00" * 32]}],
                },
            )
        ],
    )
    creation = rpc(
        "eth_sendRawTransaction",
        [sign(rpc, {"data": "0x" + INIT, "gas": 200_000, "gasPrice": 3 * 10**9})],
    )
    contract = rpc("eth_getTransactionReceipt", [creation])["contractAddress"]
    logged = rpc(
        "eth_sendRawTransaction",
        [
            sign(
                rpc,
                {
                    "to": contract,
                    "data": "0x" + (7).to_bytes(32, "big").hex(),
                    "gas": 100_000,
                    "maxFeePerGas": 3 * 10**9,
                    "maxPriorityFeePerGas": 10**9,
                },
            )
        ],
    )
    cid = rpc("og_addModel", [base64.b64encode((MODELS / "linear.onnx").read_bytes()).decode()])
    data = encode_hub_run(cid, InferenceMode.VANILLA, encode_model_input({"x": [[1.0, 2.0, 3.0]]}))
    inference = rpc(
        "eth_sendRawTransaction",
        [
            sign(
                rpc,
                {
                    "to": INFERENCE_HUB_ADDRESS,
                    "data": "0x" + data.hex(),
                    "gas": 2_000_000,
                    "gasPrice": 3 * 10**9,
                },
            )
        ],
    )
    node_signed = rpc("eth_sendTransaction", [{"from": sender, "to": RECEIVER, "value": "0x5"}])
    return Built(legacy, eip1559, eip2930, creation, contract, logged, inference, node_signed, cid)
