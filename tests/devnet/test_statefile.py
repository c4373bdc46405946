"""The devnet's whole state as one blob (``anvil_dumpState`` / ``anvil_loadState``, the
``--state`` snapshots): a devnet loaded from it goes on exactly as the original does."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from eth_account import Account

from og_alpha import InferenceMode, SchedulerParams
from og_devnet import Devnet, statefile
from og_devnet.accounts import dev_key
from og_devnet.node import RpcError
from tests.conftest import MODELS
from tests.server.test_server import QUERY

DEAD = "0x000000000000000000000000000000000000dEaD"


def block_hashes(devnet: Devnet) -> list[str]:
    return [
        "0x" + devnet.chain.block_by_number(n).hash.hex()  # type: ignore[union-attr]
        for n in range(devnet.block_number + 1)
    ]


def raw_transfer(nonce: int, value: int = 1, account: int = 1) -> str:
    """A signed transfer to 0x…dEaD from dev account ``account``."""
    signed = Account.from_key(dev_key(account)).sign_transaction(
        {
            "to": DEAD,
            "value": value,
            "gas": 21000,
            "gasPrice": 2 * 10**9,
            "nonce": nonce,
            "chainId": 31337,
        }
    )
    return "0x" + signed.raw_transaction.hex()


def transfer(devnet: Devnet, nonce: int, value: int = 1) -> str:
    return devnet.node.request("eth_sendRawTransaction", [raw_transfer(nonce, value, 2)])


def busy_devnet() -> tuple[Devnet, dict[str, str]]:
    """A devnet with models, a scheduled workflow part-run, an inference, candles set by
    hand, a fault and results served by the node API only."""
    devnet = Devnet()
    cids = {name: devnet.models.add(MODELS / f"{name}.onnx") for name in ("ohlc", "linear")}
    cids["workflow"] = devnet.alpha().new_workflow(
        cids["ohlc"], QUERY, "open_high_low_close", SchedulerParams(60, 2)
    )
    devnet.advance(600)
    devnet.alpha(1).infer(cids["linear"], InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    start = (devnet.now // 60 - 30) * 60
    devnet.prices.set_candles(
        "OG", "EUR", 1, [[start + 60 * i, 1.0, 1.5, 0.5, 1.25, 10.0] for i in range(40)]
    )
    devnet.faults.price_gap("BTC", "USD", 0, 60)
    devnet.node.request("og_setResultsViaApi", [True])
    return devnet, cids


def go_on(devnet: Devnet, cids: dict[str, str]) -> dict[str, Any]:
    """What happens next, in everything a client can see."""
    result = devnet.alpha(1).infer(cids["linear"], InferenceMode.VANILLA, {"x": [[4.0, 5.0, 6.0]]})
    devnet.node.request("og_setResultsViaApi", [False])
    report = devnet.advance(600)
    history = devnet.alpha().read_workflow_history(cids["workflow"], 5)
    return {
        "blocks": block_hashes(devnet),
        "runs": [(r.task_id, r.due_time, r.ok, r.transaction_hash) for r in report.runs],
        "infer": (result.transaction_hash, result.inference_id, result.model_output["y"].tolist()),
        "history": [h.numbers["price"].tolist() for h in history],
        "node_api": devnet.node_api(f"/api/v1/inference/{result.inference_id}"),
        "candles": devnet.prices.candles("OG", "EUR", 1, 5).values.tolist(),
        "log": [
            (type(r).__name__, r.transaction_hash, r.block_number) for r in devnet.inference_log
        ],
        "tasks": devnet.scheduler.tasks(),
    }


def test_dump_then_load_into_a_fresh_devnet_goes_on_identically() -> None:
    original, cids = busy_devnet()
    head = original.chain.head.hash
    blob = original.node.request("anvil_dumpState", [])
    assert blob.startswith("0x")
    assert gzip.decompress(bytes.fromhex(blob[2:])).startswith(statefile.MAGIC)

    loaded = Devnet()
    assert loaded.node.request("anvil_loadState", [blob]) is True
    assert loaded.chain.head.hash == head
    assert block_hashes(loaded) == block_hashes(original)
    assert sorted(loaded.models) == sorted(original.models)
    assert loaded.scheduler.tasks() == original.scheduler.tasks()
    assert loaded.results_via_api is True
    assert loaded.faults.gaps("BTC", "USD") == [(0, 60)]

    expected = go_on(original, cids)
    assert expected["runs"] and expected["history"]
    assert go_on(loaded, cids) == expected


def test_a_devnet_built_from_a_state_file_keeps_live_evm_snapshots_and_pending_transactions() -> (
    None
):
    original, cids = busy_devnet()
    snapshot_id = original.node.request("evm_snapshot", [])
    at_snapshot = original.chain.head.hash
    transfer(original, 0)
    original.node.request("evm_setAutomine", [False])
    pending = transfer(original, 1, value=7)
    with original.node.lock:
        data = statefile.dump(original)

    loaded = statefile.load_devnet(data)
    assert loaded.node.automine is False
    assert ["0x" + t.hash.hex() for t in loaded.chain.pending_block().transactions] == [pending]
    for devnet in (original, loaded):
        devnet.node.request("evm_mine", [])
        devnet.node.request("evm_setAutomine", [True])
    assert block_hashes(loaded) == block_hashes(original)
    assert loaded.node.request("evm_revert", [snapshot_id]) is True
    assert loaded.chain.head.hash == at_snapshot
    assert original.node.request("evm_revert", [snapshot_id]) is True
    assert go_on(loaded, cids) == go_on(original, cids)


@pytest.mark.parametrize(
    ("blob", "says"),
    [
        ("not hex", "0x-prefixed hex"),
        ("0xzz", "not valid hex"),
        ("0x" + b"plain".hex(), "not gzip"),
        ("0x" + gzip.compress(b"{}", mtime=0).hex(), "not an og devnet state"),
    ],
)
def test_load_refuses_what_is_not_a_state_and_changes_nothing(blob: str, says: str) -> None:
    devnet, _ = busy_devnet()
    before = block_hashes(devnet)
    with pytest.raises(RpcError) as refused:
        devnet.node.request("anvil_loadState", [blob])
    assert refused.value.code == -32602
    assert says in refused.value.message
    assert block_hashes(devnet) == before


def test_load_refuses_a_damaged_state_or_one_of_another_chain_and_changes_nothing() -> None:
    source, _ = busy_devnet()
    with source.node.lock:
        data = bytearray(statefile.dump(source))
    target = Devnet()
    transfer(target, 0)
    before = block_hashes(target)

    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0x01
    with pytest.raises(RpcError, match="damaged: its checksum does not match"):
        target.node.request("anvil_loadState", ["0x" + gzip.compress(bytes(damaged)).hex()])
    other = Devnet(genesis_time=1_700_000_000)
    with pytest.raises(RpcError, match="of another chain .*--genesis-time 1735689600"):
        other.node.request("anvil_loadState", ["0x" + gzip.compress(bytes(data)).hex()])
    assert block_hashes(target) == before
    assert transfer(target, 1)  # and it goes on


def test_every_attribute_the_devnet_keeps_is_saved_or_said_not_to_be() -> None:
    """A new attribute on the devnet, its node, dev methods or chain must be classified in
    statefile.SAVED or statefile.NOT_SAVED, or a restart would silently lose it."""
    devnet = Devnet()
    classified = set(statefile.SAVED) | {
        f"{owner}.{name}" for owner, names in statefile.NOT_SAVED.items() for name in names
    }
    for owner, obj in statefile._owners(devnet).items():
        for name in vars(obj):
            assert f"{owner}.{name}" in classified, (
                f"{owner}.{name} is new: add it to og_devnet.statefile.SAVED (kept across a "
                "restart and anvil_dumpState) or NOT_SAVED (saying why it need not be)"
            )
