"""Every ``eth_*`` method of the execution-apis specification that the node implements answers
with a result that validates against the spec's result schema, on both transports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account import Account

from og_alpha import INFERENCE_HUB_ADDRESS

from .conftest import Failure, Rpc, dev_key
from .scenario import RECEIVER, TOPIC, Built, build
from .spec_schemas import SPEC_ETH_METHODS, validate_result

SENDER = Account.from_key(dev_key(0)).address
# Spec methods this node does not implement (anvil 1.7.1 lacks these too): they answer
# "method not found".
NOT_IMPLEMENTED = {"eth_simulateV1", "eth_getBlockAccessList"}

Calls = dict[str, list[Callable[[Rpc, Built], list[Any]]]]


def _calls() -> Calls:
    def head(rpc: Rpc) -> dict[str, Any]:
        return rpc("eth_getBlockByNumber", ["latest", False])

    def block_of(rpc: Rpc, tx_hash: str) -> dict[str, Any]:
        return rpc("eth_getTransactionReceipt", [tx_hash])

    return {
        "eth_getBlockByHash": [
            lambda r, b: [block_of(r, b.inference)["blockHash"], True],
            lambda r, b: [block_of(r, b.eip1559)["blockHash"], False],
            lambda r, b: ["0x" + "12" * 32, False],
        ],
        "eth_getBlockByNumber": [
            lambda r, b: ["latest", True],
            lambda r, b: [block_of(r, b.eip2930)["blockNumber"], True],
            lambda r, b: ["earliest", False],
            lambda r, b: ["pending", False],
            lambda r, b: ["safe", True],
            lambda r, b: ["0x999", False],
        ],
        "eth_getBlockTransactionCountByHash": [lambda r, b: [head(r)["hash"]]],
        "eth_getBlockTransactionCountByNumber": [lambda r, b: ["latest"], lambda r, b: ["0x1"]],
        "eth_getBlockReceipts": [
            lambda r, b: [block_of(r, b.inference)["blockNumber"]],
            lambda r, b: [block_of(r, b.creation)["blockHash"]],
            lambda r, b: ["latest"],
        ],
        "eth_capabilities": [lambda r, b: []],
        "eth_chainId": [lambda r, b: []],
        "eth_syncing": [lambda r, b: []],
        "eth_coinbase": [lambda r, b: []],
        "eth_accounts": [lambda r, b: []],
        "eth_blockNumber": [lambda r, b: []],
        "eth_config": [lambda r, b: []],
        "net_version": [lambda r, b: []],
        "eth_call": [
            lambda r, b: [{"to": b.contract}],
            lambda r, b: [{"to": b.contract, "input": "0x"}, "latest"],
            lambda r, b: [{"to": b.contract}, block_of(r, b.creation)["blockHash"]],
        ],
        "eth_estimateGas": [
            lambda r, b: [{"from": SENDER, "to": RECEIVER, "value": "0x1"}],
            lambda r, b: [{"to": b.contract, "input": "0x" + "00" * 31 + "09"}, "latest"],
        ],
        "eth_createAccessList": [
            lambda r, b: [{"from": SENDER, "to": b.contract, "input": "0x" + "00" * 31 + "09"}],
        ],
        "eth_gasPrice": [lambda r, b: []],
        "eth_baseFee": [lambda r, b: []],
        "eth_blobBaseFee": [lambda r, b: []],
        "eth_maxPriorityFeePerGas": [lambda r, b: []],
        "eth_feeHistory": [
            lambda r, b: ["0x4", "latest", [25, 75]],
            lambda r, b: ["0x2", "0x3", []],
        ],
        "eth_fillTransaction": [lambda r, b: [{"from": SENDER, "to": RECEIVER, "value": "0x1"}]],
        "eth_newFilter": [lambda r, b: [{"fromBlock": "0x0", "address": b.contract}]],
        "eth_newBlockFilter": [lambda r, b: []],
        "eth_newPendingTransactionFilter": [lambda r, b: []],
        "eth_uninstallFilter": [lambda r, b: [r("eth_newBlockFilter")]],
        "eth_getFilterChanges": [
            lambda r, b: [r("eth_newFilter", [{"fromBlock": "0x0", "topics": [TOPIC]}])],
            lambda r, b: [r("eth_newBlockFilter")],
        ],
        "eth_getFilterLogs": [lambda r, b: [r("eth_newFilter", [{"fromBlock": "0x0"}])]],
        "eth_getLogs": [
            lambda r, b: [{"fromBlock": "0x0", "toBlock": "latest"}],
            lambda r, b: [{"blockHash": block_of(r, b.inference)["blockHash"]}],
            lambda r, b: [
                {"fromBlock": "0x0", "address": [INFERENCE_HUB_ADDRESS], "topics": [None]}
            ],
        ],
        "eth_sign": [lambda r, b: [SENDER, "0xdeadbeef"]],
        "eth_signTransaction": [lambda r, b: [{"from": SENDER, "to": RECEIVER, "value": "0x1"}]],
        "eth_getBalance": [lambda r, b: [RECEIVER], lambda r, b: [RECEIVER, "0x1"]],
        "eth_getStorageAt": [lambda r, b: [b.contract, "0x0", "latest"]],
        "eth_getStorageValues": [lambda r, b: [{b.contract: ["0x0", "0x1"]}, "latest"]],
        "eth_getTransactionCount": [lambda r, b: [SENDER, "pending"]],
        "eth_getCode": [lambda r, b: [b.contract, {"blockHash": head(r)["hash"]}]],
        "eth_getProof": [lambda r, b: [b.contract, ["0x0"], "latest"], lambda r, b: [RECEIVER, []]],
        "eth_sendTransaction": [lambda r, b: [{"from": SENDER, "to": RECEIVER, "value": "0x1"}]],
        "eth_sendRawTransaction": [
            lambda r, b: [
                r("eth_signTransaction", [{"from": SENDER, "to": RECEIVER, "value": "0x2"}])["raw"]
            ]
        ],
        "eth_getTransactionByHash": [
            lambda r, b: [b.legacy],
            lambda r, b: [b.eip1559],
            lambda r, b: [b.eip2930],
            lambda r, b: [b.creation],
            lambda r, b: ["0x" + "34" * 32],
        ],
        "eth_getTransactionByBlockHashAndIndex": [
            lambda r, b: [block_of(r, b.logged)["blockHash"], "0x0"]
        ],
        "eth_getTransactionByBlockNumberAndIndex": [
            lambda r, b: [block_of(r, b.inference)["blockNumber"], "0x0"]
        ],
        "eth_getTransactionReceipt": [
            lambda r, b: [b.creation],
            lambda r, b: [b.inference],
            lambda r, b: [b.eip2930],
            lambda r, b: [b.node_signed],
        ],
    }


CALLS = _calls()


def test_every_spec_method_is_covered_or_named_as_not_implemented() -> None:
    assert set(CALLS) | NOT_IMPLEMENTED == set(SPEC_ETH_METHODS)


def test_every_result_validates_against_the_spec(rpc: Rpc) -> None:
    built = build(rpc)
    problems = []
    for method, param_makers in CALLS.items():
        for make in param_makers:
            params = make(rpc, built)
            try:
                result = rpc(method, params)
            except Failure as exc:
                problems.append(f"{method}{params}: error {exc.code} {exc.message}")
                continue
            problems.extend(f"{method}{params}: {p}" for p in validate_result(method, result))
    assert problems == []


@pytest.mark.parametrize("method", sorted(NOT_IMPLEMENTED))
def test_spec_methods_not_implemented_say_so(rpc: Rpc, method: str) -> None:
    with pytest.raises(Failure) as failure:
        rpc(method, [])
    assert failure.value.code == -32601
    assert method in failure.value.message
