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


def test_aliased_offsets_to_the_inference_precompile_are_refused_not_decoded() -> None:
    """Offsets that all point at one tensor would make 1,000 tensors out of one's bytes;
    the precompile refuses them before decoding (it decoded 1.2M Numbers in 11 s)."""
    from eth_abi import encode

    from og_alpha import wire

    devnet = Devnet()
    honest = encode(
        [wire.INFERENCE_REQUEST], [(0, "Qm" + "a" * 44, ([("x", [(1, 0)] * 300, [1, 300])], []))]
    )
    # request head: offset(0x20) | mode | cid offset | input offset ; input: numbers offset,
    # strings offset; numbers: length 1, one tensor offset. Repeat that offset 1,000 times.
    words = [honest[i : i + 32] for i in range(0, len(honest), 32)]
    input_at = (32 + int.from_bytes(words[3], "big")) // 32
    numbers_at = input_at + int.from_bytes(words[input_at], "big") // 32
    assert int.from_bytes(words[numbers_at], "big") == 1
    tensor_offset = int.from_bytes(words[numbers_at + 1], "big")
    aliased = words[:numbers_at] + [(1000).to_bytes(32, "big")]
    aliased += [(tensor_offset + 999 * 32).to_bytes(32, "big")] * 1000 + words[numbers_at + 2 :]
    data = wire.RUN_MODEL_INFERENCE + b"".join(aliased)
    block = devnet.block_number
    with pytest.raises(Exception, match="malformed call data") as failure:
        devnet.web3.eth.call({"to": F4, "data": data})
    assert "would decode to more than" in str(failure.value)
    assert devnet.block_number == block
