"""A user's suite that does not depend on remote state (run by test_fork_tools.py): it must
pass on a fresh devnet and on a fork alike, through the plugin's fixtures only."""

import os

import numpy as np
import pytest
from store import DEPLOY_CODE, load_data, store_data

from og_alpha import (
    CandleOrder,
    CandleType,
    HistoricalInputQuery,
    InferenceError,
    InferenceMode,
    SchedulerParams,
)

MODELS = os.environ["OG_TEST_MODELS"]
START = int(os.environ["OG_EXPECT_START"])  # 0, or the block a fork starts at
TEN_THOUSAND = 10_000 * 10**18
QUERY = HistoricalInputQuery(
    "ETH",
    "USD",
    10,
    1,
    CandleOrder.ASCENDING,
    [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE],
)


@pytest.fixture(autouse=True)
def starts_clean(og_devnet):
    assert og_devnet.block_number == START
    assert og_devnet.web3.eth.get_balance(og_devnet.accounts[0].address) == TEN_THOUSAND
    assert len(og_devnet.models) == 0 and len(og_devnet.inference_log) == 0


def send(web3, account, **tx):
    tx = {
        "chainId": web3.eth.chain_id,
        "nonce": web3.eth.get_transaction_count(account.address),
        "gas": 300_000,
        "gasPrice": 3 * 10**9,
        **tx,
    }
    receipt = web3.eth.wait_for_transaction_receipt(
        web3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
    )
    assert receipt["status"] == 1
    return receipt


def test_infer(og_alpha, og_models, og_devnet):
    cid = og_models.add(f"{MODELS}/linear.onnx")
    result = og_alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    np.testing.assert_allclose(result.model_output["y"], [[4.1]], rtol=1e-6)
    assert og_devnet.block_number == START + 1


def test_transfer(og_devnet, og_accounts):
    web3, sender, receiver = og_devnet.web3, og_accounts[3], og_accounts[4]
    receipt = send(web3, sender, to=receiver.address, value=10**18)
    assert web3.eth.get_balance(receiver.address) == TEN_THOUSAND + 10**18
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert web3.eth.get_balance(sender.address) == TEN_THOUSAND - 10**18 - fee


def test_contract_storage(og_devnet, og_accounts):
    web3 = og_devnet.web3
    address = send(web3, og_accounts[5], data=DEPLOY_CODE)["contractAddress"]
    send(web3, og_accounts[5], to=address, data=store_data(2, 11))
    assert web3.eth.call({"to": address, "data": load_data(2)}) == (11).to_bytes(32, "big")
    assert web3.eth.call({"to": address, "data": load_data(0)}) == (42).to_bytes(32, "big")


def test_scheduled_workflow(og_devnet, og_alpha, og_models):
    cid = og_models.add(f"{MODELS}/ohlc.onnx")
    address = og_alpha.new_workflow(
        cid, QUERY, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=1)
    )
    report = og_devnet.advance(180)
    mine = [run for run in report.runs if run.contract_address == address]
    assert len(mine) == 3 and all(run.ok for run in mine)
    assert len(og_alpha.read_workflow_history(address, 3)) == 3


def test_faults(og_devnet, og_alpha, og_models):
    cid = og_models.add(f"{MODELS}/linear.onnx")
    og_devnet.faults.fail_model(cid, "model offline")
    with pytest.raises(InferenceError, match="model offline"):
        og_alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})


def test_evm_snapshot_and_revert(og_devnet, og_accounts):
    web3 = og_devnet.web3
    snapshot = web3.provider.make_request("evm_snapshot", [])["result"]
    send(web3, og_accounts[6], to=og_accounts[7].address, value=5)
    assert web3.eth.get_balance(og_accounts[7].address) == TEN_THOUSAND + 5
    assert web3.provider.make_request("evm_revert", [snapshot])["result"] is True
    assert web3.eth.get_balance(og_accounts[7].address) == TEN_THOUSAND
    assert web3.eth.block_number == START
