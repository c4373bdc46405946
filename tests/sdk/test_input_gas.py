"""An input no block can carry is an ``InputError`` stating the block gas limit, with nothing
sent: counted before it is encoded (two million values were encoded, estimated for 13.8 s
and ended in "Message.gas cannot be negative"), checked on its exact call data, and, when the
model's own price tips it over, named from the estimate that ran out of gas."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from og_alpha import InferenceMode, InputError, wire
from og_alpha.input_gas import BYTES_PER_VALUE, largest_input, minimum_gas
from og_devnet import Devnet
from tests.conftest import MODELS

LIMIT = "the block gas limit of 60,000,000"


class Seen:
    """The JSON-RPC methods the node was asked, and the encoder's calls."""

    def __init__(self) -> None:
        self.methods: list[str] = []
        self.encoded = 0


@pytest.fixture
def devnet() -> Devnet:
    return Devnet()


@pytest.fixture
def seen(devnet: Devnet, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seen]:
    record = Seen()
    handle, encode = devnet.node.handle, wire.encode_model_input

    def recording_handle(request: Any) -> Any:
        record.methods.append(request["method"])
        return handle(request)

    def recording_encode(model_input: Any) -> Any:
        record.encoded += 1
        return encode(model_input)

    monkeypatch.setattr(devnet.node, "handle", recording_handle)
    monkeypatch.setattr(wire, "encode_model_input", recording_encode)
    yield record


def nothing_sent(devnet: Devnet, seen: Seen) -> None:
    assert not {"eth_estimateGas", "eth_sendRawTransaction", "eth_call"} & set(seen.methods)
    assert devnet.block_number == 0 and len(devnet.inference_log) == 0
    assert devnet.web3.eth.get_transaction_count(devnet.accounts[0].address) == 0


@pytest.mark.parametrize("size", [200_000, 2_000_000])
def test_an_input_too_large_for_a_block_is_refused_before_it_is_encoded(
    devnet: Devnet, seen: Seen, size: int
) -> None:
    cid = devnet.models.add(MODELS / "linear.onnx")
    alpha = devnet.alpha()
    with pytest.raises(InputError) as info:
        alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0] * size]})
    assert str(info.value) == (
        f"model_input is too large for a block: more than {largest_input(60_000_000):,} values "
        f"need at least 60,000,974 gas (their call data, and the memory that holds it once), "
        f"over {LIMIT}; nothing was sent. Send fewer values (each takes at least 64 bytes of "
        "call data)"
    )
    assert seen.encoded == 0  # refused from the count of values: no encoding, no estimate
    nothing_sent(devnet, seen)


def test_numpy_inputs_are_counted_by_size(devnet: Devnet, seen: Seen) -> None:
    alpha = devnet.alpha()
    with pytest.raises(InputError, match=LIMIT):
        alpha.infer("QmAny", InferenceMode.VANILLA, {"a": np.zeros((400, 400), np.float32)})
    nothing_sent(devnet, seen)


def test_call_data_over_the_limit_is_refused_once_encoded(devnet: Devnet, seen: Seen) -> None:
    cid = devnet.models.add(MODELS / "ohlc.onnx")  # [?, 4]: any number of rows
    rows = [[3300.5, 3310.25, 3295.0, 3305.75]] * 18_000  # under the count, not the bytes
    with pytest.raises(InputError) as info:
        devnet.alpha().infer(cid, InferenceMode.VANILLA, {"open_high_low_close": rows})
    assert str(info.value).startswith("model_input is too large for a block: its 4,608,6")
    assert f"over {LIMIT}; nothing was sent" in str(info.value)
    assert seen.encoded == 1
    nothing_sent(devnet, seen)


def test_an_estimate_out_of_gas_is_an_input_error_naming_the_limit(
    devnet: Devnet, seen: Seen
) -> None:
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    # a block of 10,000,000 gas: 5,200 rows tip it (17,600 would, in the default 60,000,000,
    # at six times the EVM work)
    devnet.node.request("evm_setBlockGasLimit", [hex(10_000_000)])
    devnet.mine()
    rows = [[1.5, 1.5, 1.5, 1.5]] * 5_200  # fits as call data; the precompile's price does not
    alpha = devnet.alpha()
    # On a thread of its own: its frames then start at the bottom of a fresh frame stack,
    # whatever pytest runs it under. Under an xdist worker's deeper stack, py-evm's opcode
    # loop sat at the end of one of CPython 3.11's 16 KB frame-stack chunks, and each opcode
    # call mapped and unmapped a new one (215,000 mmap/munmap pairs: 2 s of CPU, not 0.3 s)
    with pytest.raises(InputError) as info, ThreadPoolExecutor(1) as thread:
        thread.submit(
            alpha.infer, cid, InferenceMode.VANILLA, {"open_high_low_close": rows}
        ).result()
    message = str(info.value)
    assert message.startswith(f"inference on {cid}: the input does not fit in a block: it needs")
    assert "more than the block gas limit of 10,000,000 (" in message and "Out of gas" in message
    assert message.endswith("; nothing was sent. Send fewer values (each takes at least 64 "
                            "bytes of call data)")  # fmt: skip
    assert "eth_sendRawTransaction" not in seen.methods
    assert devnet.block_number == 1 and devnet.inference_log.scheduled_runs() == []


def test_the_limit_stated_is_the_chains(devnet: Devnet) -> None:
    devnet.node.request("evm_setBlockGasLimit", ["0x989680"])  # 10,000,000
    devnet.mine()
    with pytest.raises(InputError, match="over the block gas limit of 10,000,000; nothing"):
        devnet.alpha().infer("QmAny", InferenceMode.VANILLA, {"x": [[1.0] * 40_000]})


def test_the_bound_is_what_any_inference_pays() -> None:
    assert minimum_gas(0) == 21_000
    assert minimum_gas(32) == 21_000 + 4 * 32 + 3  # a zero word of call data, one memory word
    assert minimum_gas(32, nonzero_bytes=32) == 21_000 + 16 * 32 + 3
    assert minimum_gas(32 * 1024) == 21_000 + 4 * 32 * 1024 + 3 * 1024 + 1024 * 1024 // 512
    for limit in (1_000_000, 30_000_000, 60_000_000):
        most = largest_input(limit)
        assert (
            minimum_gas(most * BYTES_PER_VALUE) <= limit < minimum_gas((most + 1) * BYTES_PER_VALUE)
        )
