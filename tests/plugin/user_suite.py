"""A user's test file (run by test_plugin.py): 20 tests that each change devnet state.

Each test first checks it starts from the clean state, then changes chain, models, prices,
faults and the clock, and records what it saw so runs in different orders can be compared.
"""

import json
import os

import numpy as np
import pytest

from og_alpha import CandleOrder, CandleType, HistoricalInputQuery, InferenceMode, SchedulerParams
from og_devnet.cid import ipfs_cid_v0

MODELS = os.environ["OG_TEST_MODELS"]
with open(os.path.join(MODELS, "linear.onnx"), "rb") as _file:
    LINEAR_CID = ipfs_cid_v0(_file.read())
RECORD = os.environ["OG_TEST_RECORD"]


def record(name, value):
    with open(os.path.join(RECORD, f"{name}.json"), "w") as f:
        json.dump(value, f, sort_keys=True, default=str)


@pytest.fixture(autouse=True)
def starts_clean(og_devnet):
    assert og_devnet.block_number == 0
    assert og_devnet.now == 1_735_689_600
    assert len(og_devnet.models) == 0 and len(og_devnet.inference_log) == 0
    assert og_devnet.scheduler.tasks() == []
    assert og_devnet.web3.eth.get_transaction_count(og_devnet.accounts[0].address) == 0
    assert og_devnet.faults.output_for(LINEAR_CID) is None
    assert og_devnet.results_via_api is False


@pytest.mark.parametrize("i", range(12))
def test_infer(og_devnet, og_alpha, og_models, i):
    cid = og_models.add(f"{MODELS}/linear.onnx")
    result = og_alpha.infer(cid, InferenceMode(i % 3), {"x": [[float(i), 1.0, 2.0]]})
    og_devnet.advance(60 * i)
    if i % 4 == 0:
        og_devnet.faults.set_output(cid, {"y": [[1.0]]})
        og_devnet.results_via_api = True
    record(
        f"infer-{i}",
        [
            result.transaction_hash,
            result.model_output["y"].tolist(),
            og_devnet.now,
            len(og_devnet.inference_log),
        ],
    )


@pytest.mark.parametrize("i", range(4))
def test_workflow(og_devnet, og_alpha, og_models, og_prices, i):
    cid = og_models.add(f"{MODELS}/ohlc.onnx")
    start = og_devnet.now - og_devnet.now % 60 - 600
    og_prices.set_candles(
        "TST", "USD", 1, [[start + 60 * k, 10 + i, 11 + i, 9, 10.5, 1 + k] for k in range(200)]
    )
    query = HistoricalInputQuery(
        "TST",
        "USD",
        10,
        1,
        CandleOrder.ASCENDING,
        [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE],
    )
    address = og_alpha.new_workflow(
        cid, query, "open_high_low_close", SchedulerParams(frequency=60 * (i + 1), duration_hours=1)
    )
    og_devnet.advance(1800)
    history = og_alpha.read_workflow_history(address, 50)
    record(f"workflow-{i}", [address, [h.numbers["price"].tolist() for h in history]])


@pytest.mark.parametrize("i", range(2))
def test_accounts_and_time(og_devnet, og_accounts, i):
    w3 = og_devnet.web3
    tx = w3.eth.send_transaction(
        {"from": og_accounts[i].address, "to": og_accounts[9].address, "value": 10**18 * (i + 1)}
    )
    og_devnet.advance_to(og_devnet.now + 3600 * (i + 1))
    record(f"transfer-{i}", [tx.hex(), w3.eth.get_balance(og_accounts[9].address), og_devnet.now])


def test_models_and_faults(og_devnet, og_alpha, og_models):
    cid = og_models.add(f"{MODELS}/two_outputs.onnx")
    og_devnet.faults.fail_model(cid, "down")
    with pytest.raises(Exception, match="down"):
        og_alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0, 4.0]]})
    record("faults", [cid, len(og_devnet.inference_log)])


def test_price_gap(og_devnet, og_prices):
    og_devnet.faults.price_gap("ETH", "USD", og_devnet.now - 600, og_devnet.now)
    with pytest.raises(Exception, match="gap"):
        og_prices.candles("ETH", "USD", 1, 5)
    og_devnet.advance(7200)
    record("gap", np.asarray(og_prices.candles("ETH", "USD", 1, 3).values).tolist())
