"""In-process and HTTP are one node: the same scenario gives byte-identical answers, and one
snapshot mechanism covers chain, models and filters on both."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from og_devnet import Devnet
from tests.conftest import MODELS

from .conftest import Failure, Rpc, _in_process, _over_http
from .scenario import RECEIVER, build


def _transcript(rpc: Rpc) -> list[Any]:
    b = build(rpc)
    calls: list[tuple[str, list[Any]]] = [
        ("eth_getBlockByNumber", ["latest", True]),
        ("eth_getTransactionReceipt", [b.inference]),
        ("eth_getLogs", [{"fromBlock": "0x0"}]),
        ("eth_feeHistory", ["0x5", "latest", [10, 90]]),
        ("eth_getProof", [b.contract, ["0x0"]]),
        ("eth_call", [{"to": "0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE", "input": "0x1234"}]),
        ("eth_createAccessList", [{"to": b.contract, "input": "0x" + "00" * 31 + "01"}]),
        ("og_listModels", []),
        ("eth_getBalance", [RECEIVER, "0x2"]),
        ("eth_nope", []),
    ]
    # ids are the transport's own (the in-process provider numbers its requests)
    answers = [{k: v for k, v in rpc.response(m, p).items() if k != "id"} for m, p in calls]
    return [b.__dict__, *answers]


def test_the_same_scenario_gives_identical_answers_on_both_transports(
    http_server: Callable[[Devnet], str],
) -> None:
    local = _transcript(_in_process(Devnet()))
    served = Devnet()
    remote = _transcript(_over_http(served, http_server(served)))
    assert local[0] != {}  # the scenario ran
    assert local == remote


def test_revert_undoes_models_filters_and_blocks(rpc: Rpc) -> None:
    build(rpc)
    before_models = rpc("og_listModels")
    block_filter = rpc("eth_newBlockFilter")
    snapshot = rpc("evm_snapshot")
    rpc("og_addModel", [base64.b64encode((MODELS / "ohlc.onnx").read_bytes()).decode()])
    later_filter = rpc("eth_newBlockFilter")
    rpc("evm_mine")
    rpc("evm_mine")
    assert len(rpc("og_listModels")) == len(before_models) + 1
    assert rpc("evm_revert", [snapshot]) is True
    assert rpc("og_listModels") == before_models
    with pytest.raises(Failure) as failure:
        rpc("eth_getFilterChanges", [later_filter])
    assert failure.value.code == -32000 and "filter not found" in failure.value.message
    assert rpc("eth_getFilterChanges", [block_filter]) == []
    rpc("evm_mine")
    changes = rpc("eth_getFilterChanges", [block_filter])
    head = rpc("eth_getBlockByNumber", ["latest", False])
    assert changes == [head["hash"]]
    assert rpc("eth_getBlockByHash", [changes[0], False]) == head


def test_in_process_web3_sees_dev_methods_too() -> None:
    devnet = Devnet()
    web3 = devnet.web3
    address = "0x" + "66" * 20
    web3.provider.make_request("anvil_setBalance", [address, "0x64"])
    assert web3.eth.get_balance(address) == 100
    assert web3.eth.get_balance(address, "latest") == 100
