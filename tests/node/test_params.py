"""Parameters as clients send them (Foundry, ethers, viem, web3.py), on both transports."""

from __future__ import annotations

import pytest
from eth_account import Account

from .conftest import Failure, Rpc, dev_key, sign
from .scenario import INIT, RECEIVER, build

SENDER = Account.from_key(dev_key(0)).address
ZERO = "0x" + "00" * 20
SEVEN = "0x" + (7).to_bytes(32, "big").hex()


def test_call_takes_input_or_data_and_refuses_both_when_they_differ(rpc: Rpc) -> None:
    b = build(rpc)
    assert rpc("eth_call", [{"to": b.contract, "input": "0x"}]) == SEVEN
    assert rpc("eth_call", [{"to": b.contract, "data": "0x"}]) == SEVEN
    assert rpc("eth_call", [{"to": b.contract, "data": "0x", "input": "0x"}]) == SEVEN
    with pytest.raises(Failure) as failure:
        rpc("eth_call", [{"to": b.contract, "data": "0x", "input": "0x01"}])
    assert failure.value.code == -32602
    assert "data" in failure.value.message and "input" in failure.value.message


def test_calls_and_estimates_run_from_any_address_unfunded_and_ignore_the_nonce(rpc: Rpc) -> None:
    b = build(rpc)
    for sender in (ZERO, "0x" + "77" * 20):
        assert rpc("eth_call", [{"from": sender, "to": b.contract, "nonce": "0x63"}]) == SEVEN
        gas = int(rpc("eth_estimateGas", [{"from": sender, "to": b.contract, "input": SEVEN}]), 16)
        assert 21_000 < gas < 100_000
    # value still has to be there, as geth says
    poor = "0x" + "77" * 20
    with pytest.raises(Failure) as failure:
        rpc("eth_call", [{"from": poor, "to": RECEIVER, "value": "0x1"}])
    assert failure.value.code == -32000
    assert "insufficient funds" in failure.value.message
    assert "0x7777777777777777777777777777777777777777" in failure.value.message
    assert "b'" not in failure.value.message


def test_a_creation_without_to_or_with_to_null_is_a_creation(rpc: Rpc) -> None:
    for to in ({}, {"to": None}):
        runtime = rpc("eth_call", [{"from": SENDER, "input": "0x" + INIT, **to}])
        assert runtime == "0x" + INIT[34:]
        gas = int(rpc("eth_estimateGas", [{"from": SENDER, "input": "0x" + INIT, **to}]), 16)
        assert gas > 53_000


def test_every_block_form_reads_the_same_block(rpc: Rpc) -> None:
    b = build(rpc)
    receipt = rpc("eth_getTransactionReceipt", [b.creation])
    number, block_hash = receipt["blockNumber"], receipt["blockHash"]
    forms = [
        number,
        block_hash,
        {"blockHash": block_hash},
        {"blockNumber": number},
        {"blockHash": block_hash, "requireCanonical": True},
    ]
    code = rpc("eth_getCode", [b.contract, "latest"])
    assert code == "0x" + INIT[34:]
    for form in forms:
        assert rpc("eth_getCode", [b.contract, form]) == code
        assert (
            rpc("eth_getStorageAt", [b.contract, "0x0", form])
            == "0x" + (42).to_bytes(32, "big").hex()
        )
    before = hex(int(number, 16) - 1)
    assert rpc("eth_getCode", [b.contract, before]) == "0x"
    for tag in ("latest", "pending", "safe", "finalized", None):
        params = [b.contract, "0x0"] + ([tag] if tag else [])
        assert rpc("eth_getStorageAt", params) == SEVEN
    assert rpc("eth_getStorageAt", [b.contract, "0x0", "earliest"]) == "0x" + "00" * 32


def test_estimate_and_call_at_pending(rpc: Rpc) -> None:
    b = build(rpc)
    assert rpc("eth_call", [{"to": b.contract}, "pending"]) == SEVEN
    assert int(rpc("eth_estimateGas", [{"from": SENDER, "to": RECEIVER}, "pending"]), 16) == 21_000


def test_state_overrides_apply_to_one_call_only(rpc: Rpc) -> None:
    b = build(rpc)
    slot0 = "0x" + "00" * 32
    overridden = {b.contract: {"stateDiff": {slot0: "0x" + (99).to_bytes(32, "big").hex()}}}
    assert int(rpc("eth_call", [{"to": b.contract}, "latest", overridden]), 16) == 99
    assert rpc("eth_call", [{"to": b.contract}, "latest"]) == SEVEN
    poor = "0x" + "77" * 20
    rich = {poor: {"balance": "0xde0b6b3a7640000"}}
    assert rpc("eth_call", [{"from": poor, "to": RECEIVER, "value": "0x1"}, "latest", rich]) == "0x"
    gas = rpc("eth_estimateGas", [{"from": poor, "to": RECEIVER, "value": "0x1"}, "latest", rich])
    assert int(gas, 16) == 21_000
    with pytest.raises(Failure):
        rpc("eth_call", [{"from": poor, "to": RECEIVER, "value": "0x1"}, "latest"])


@pytest.mark.parametrize(
    "bad",
    ["0x01", "1", "0xZZ", "", "0x", 12],
)
def test_quantities_are_hex_without_leading_zeros(rpc: Rpc, bad: object) -> None:
    with pytest.raises(Failure) as failure:
        rpc("eth_getBlockByNumber", [bad, False])
    assert failure.value.code == -32602
    assert "block" in failure.value.message


def test_unknown_blocks_are_null_or_header_not_found(rpc: Rpc) -> None:
    assert rpc("eth_getBlockByNumber", ["0x99", False]) is None
    assert rpc("eth_getBlockByHash", ["0x" + "ab" * 32, False]) is None
    with pytest.raises(Failure) as failure:
        rpc("eth_getBalance", [SENDER, "0x99"])
    assert failure.value.code == -32000 and "header not found" in failure.value.message


def test_receipts_say_to_null_and_name_the_contract_for_a_creation(rpc: Rpc) -> None:
    b = build(rpc)
    receipt = rpc("eth_getTransactionReceipt", [b.creation])
    assert receipt["to"] is None
    assert receipt["contractAddress"] == b.contract
    assert len(receipt["logsBloom"]) == 2 + 512
    tx = rpc("eth_getTransactionByHash", [b.creation])
    assert tx["to"] is None and tx["blockTimestamp"]


def test_logs_by_block_hash_and_topics(rpc: Rpc) -> None:
    b = build(rpc)
    receipt = rpc("eth_getTransactionReceipt", [b.logged])
    logs = rpc("eth_getLogs", [{"blockHash": receipt["blockHash"]}])
    assert logs == receipt["logs"]
    assert logs[0]["removed"] is False and logs[0]["data"] == "0x" + (42).to_bytes(32, "big").hex()
    by_topic = rpc(
        "eth_getLogs", [{"fromBlock": "earliest", "topics": [[receipt["logs"][0]["topics"][0]]]}]
    )
    assert by_topic == logs
    with pytest.raises(Failure) as failure:
        rpc("eth_getLogs", [{"fromBlock": "0x5", "toBlock": "0x2"}])
    assert failure.value.code == -32602 and "invalid block range" in failure.value.message
    with pytest.raises(Failure):
        rpc("eth_getLogs", [{"blockHash": receipt["blockHash"], "fromBlock": "0x1"}])


def test_sent_transactions_are_refused_with_geths_words_and_change_nothing(rpc: Rpc) -> None:
    build(rpc)
    nonce = rpc("eth_getTransactionCount", [SENDER, "latest"])
    head = rpc("eth_blockNumber")
    stale = sign(rpc, {"to": RECEIVER, "gas": 21000, "gasPrice": 3 * 10**9, "nonce": 0})
    cases = {
        stale: "nonce too low",
        sign(
            rpc, {"to": RECEIVER, "gas": 21000, "gasPrice": 3 * 10**9, "nonce": 99}
        ): "nonce too high",
        sign(rpc, {"to": RECEIVER, "gas": 20000, "gasPrice": 3 * 10**9}): "intrinsic gas too low",
        sign(
            rpc, {"to": RECEIVER, "gas": 21000, "gasPrice": 1}
        ): "max fee per gas less than block base fee",
        sign(
            rpc, {"to": RECEIVER, "gas": 21000, "gasPrice": 3 * 10**9, "value": 10**30}
        ): "insufficient funds",
        sign(
            rpc, {"to": RECEIVER, "gas": 21000, "gasPrice": 3 * 10**9, "chainId": 1}
        ): "invalid chain id",
    }
    for raw, words in cases.items():
        with pytest.raises(Failure) as failure:
            rpc("eth_sendRawTransaction", [raw])
        assert failure.value.code == -32000
        assert words in failure.value.message, failure.value.message
    assert rpc("eth_getTransactionCount", [SENDER, "latest"]) == nonce
    assert rpc("eth_blockNumber") == head


def test_signing_with_the_dev_accounts(rpc: Rpc) -> None:
    from eth_account.messages import encode_defunct, encode_typed_data

    signature = rpc("eth_sign", [SENDER, "0x68656c6c6f"])
    assert Account.recover_message(encode_defunct(b"hello"), signature=signature) == SENDER
    assert rpc("personal_sign", ["0x68656c6c6f", SENDER]) == signature
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "Mail": [{"name": "contents", "type": "string"}],
        },
        "primaryType": "Mail",
        "domain": {"name": "og", "chainId": 31337},
        "message": {"contents": "hi"},
    }
    signed = rpc("eth_signTypedData_v4", [SENDER, typed])
    assert (
        Account.recover_message(encode_typed_data(full_message=typed), signature=signed) == SENDER
    )
    with pytest.raises(Failure) as failure:
        rpc("eth_sign", [RECEIVER.replace(RECEIVER[2:4], "ff"), "0x00"])
    assert "no key" in failure.value.message
