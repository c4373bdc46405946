"""A short, deterministic slice of ``make fuzz`` inside ``make test``, plus its past findings."""

from __future__ import annotations

import pytest
from eth_abi import encode
from web3.exceptions import ContractLogicError

from fuzz.targets import F4, run
from og_alpha import wire
from og_devnet import Devnet
from tests.conftest import MODELS


def test_fuzz_slice_finds_nothing() -> None:
    results = run(seed=0, inputs=12, transactions_every=3)
    assert set(results) == {
        "inference_precompile",
        "price_feed_precompile",
        "inference_hub",
        "workflow",
        "scheduler",
    }
    for target, stats in results.items():
        assert stats.findings == [], target
        # every input ended in a result or a revert, and some of each were seen over the run
        assert stats.reverts + stats.successes == stats.calls + stats.transactions, target
    assert sum(s.reverts for s in results.values()) > 0
    assert sum(s.successes for s in results.values()) > 0


@pytest.mark.parametrize("decimals", [2**127 - 1, -(2**127), 10**6, -(10**6)])
def test_hostile_decimals_end_promptly(linear_devnet: tuple[Devnet, str], decimals: int) -> None:
    """Found by the fuzzer: 10**decimals for an int128 decimals never finished, stalling the node.

    A float input now becomes 0 or +-inf (then refused as outside float32); an integer input
    with absurd decimals is refused by name.
    """
    devnet, cid = linear_devnet
    numbers = [("x", [(1, decimals), (2, 0), (3, 0)], [1, 3])]
    data = wire.RUN_MODEL_INFERENCE + encode([wire.INFERENCE_REQUEST], [(0, cid, (numbers, []))])
    block = devnet.web3.eth.block_number
    if decimals > 0:  # tiny values round to 0.0: a valid input, y = 0.5*0 + ... + 0.1
        assert devnet.web3.eth.call({"to": F4, "data": data})
    else:
        with pytest.raises(ContractLogicError, match="outside the range of float32"):
            devnet.web3.eth.call({"to": F4, "data": data})
    assert devnet.web3.eth.block_number == block


@pytest.fixture
def linear_devnet() -> tuple[Devnet, str]:
    devnet = Devnet()
    return devnet, devnet.models.add(MODELS / "linear.onnx")
