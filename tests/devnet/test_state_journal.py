"""The ``--state`` journal in-process (``og_devnet.boot.build``): a restart rebuilds exactly
the acknowledged state, from the snapshot and the journal's tail, or refuses to start."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from og_alpha import SchedulerParams
from og_devnet import boot, checkpoint, statefile
from og_devnet.journal import Journal, seal
from og_devnet.node import Node
from og_devnet.statefile import StateFileError
from tests.conftest import MODELS
from tests.devnet.test_statefile import QUERY, block_hashes, raw_transfer


def send(node: Node, nonce: int, value: int = 1) -> str:
    return node.request("eth_sendRawTransaction", [raw_transfer(nonce, value)])


def crash(node: Node) -> None:
    """Stop as kill -9 would: no final snapshot, the file lock released."""
    assert node.journal is not None
    node.journal.on_close.clear()
    node.journal.close()


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_a_restart_replays_every_call_and_proves_it_reached_the_same_chain(tmp_path: Path) -> None:
    state = tmp_path / "s.jsonl"
    node, restored = boot.build(state=str(state))
    assert restored == 0
    hashes = [send(node, n) for n in range(5)]
    node.request("evm_snapshot", [])
    node.request("evm_increaseTime", [100])
    chain = block_hashes(node.devnet)
    crash(node)

    again, restored = boot.build(state=str(state))
    assert restored == 7
    assert again.journal is not None and again.journal.restored == (0, 7)
    assert block_hashes(again.devnet) == chain
    for tx in hashes:
        assert again.request("eth_getTransactionReceipt", [tx])["status"] == "0x1"
    assert again.request("evm_revert", ["0x1"]) is True  # the snapshot id came back too
    crash(again)
    entries = [json.loads(line) for line in lines(state)[1:]]
    assert [e["i"] for e in entries] == list(range(1, 9))  # evm_revert is the 8th
    assert entries[0]["a"]["head"] == chain[1]


def test_a_call_that_replays_differently_stops_the_start_naming_file_line_and_difference(
    tmp_path: Path,
) -> None:
    """The journal was written by a devnet that is not this one (here: a line rewritten with a
    valid checksum, as a changed og devnet would write it)."""
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state))
    for n in range(4):
        send(node, n)
    crash(node)
    original = lines(state)
    entry = json.loads(original[3])
    del entry["c"]
    entry["p"] = [raw_transfer(2, value=99)]  # another valid transaction in entry 3's place
    rewritten = [*original[:3], seal(entry), *original[4:]]
    state.write_bytes(b"".join(rewritten))

    with pytest.raises(StateFileError) as refused:
        boot.build(state=str(state))
    message = str(refused.value)
    assert f"{state} line 4 (eth_sendRawTransaction) replays differently" in message
    assert "the journal recorded head block 3" in message
    assert f"head -n 3 {state}" in message
    assert state.read_bytes() == b"".join(rewritten)  # nothing written


def test_a_torn_last_line_is_dropped_and_everything_before_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state))
    kept = [send(node, n) for n in range(3)]
    crash(node)
    whole = state.read_bytes()
    state.write_bytes(whole + b'{"i":4,"m":"eth_sendRawTr')  # the crash cut this line

    node, restored = boot.build(state=str(state))
    assert restored == 3
    assert "dropped the last 25 bytes" in capsys.readouterr().err
    assert state.read_bytes() == whole
    for tx in kept:
        assert node.request("eth_getTransactionReceipt", [tx])["status"] == "0x1"
    send(node, 3)  # and appends go on after the last whole line
    crash(node)
    assert boot.build(state=str(state))[1] == 4


def test_restart_loads_the_snapshot_and_replays_only_the_calls_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a snapshot is due once a restart would replay more than this (here: 25 blocks' worth)
    monkeypatch.setattr(checkpoint, "TAIL_SECONDS", 25 * checkpoint.SECONDS_PER_UNIT)
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state))
    devnet = node.devnet
    cid = node.request(
        "og_addModel", [base64.b64encode((MODELS / "ohlc.onnx").read_bytes()).decode()]
    )
    workflow = devnet.alpha().new_workflow(
        cid, QUERY, "open_high_low_close", SchedulerParams(60, 2)
    )
    node.request("og_advanceTime", [3600])  # 60 scheduled runs: the snapshot is due after it
    checkpoints = _checkpoints(node)
    checkpoints._writer.join()  # type: ignore[union-attr]
    covered = checkpoints.covered
    assert covered == node.journal.count  # type: ignore[union-attr]
    tail = [send(node, n) for n in range(3)]
    chain = block_hashes(devnet)
    history = devnet.alpha().read_workflow_history(workflow, 5)
    crash(node)

    again, restored = boot.build(state=str(state))
    assert again.journal is not None and again.journal.restored == (covered, 3)
    assert restored == covered + 3
    assert block_hashes(again.devnet) == chain
    for tx in tail:
        assert again.request("eth_getTransactionReceipt", [tx])["status"] == "0x1"
    assert [h.as_dict() for h in again.devnet.alpha().read_workflow_history(workflow, 5)] == [
        h.as_dict() for h in history
    ]
    assert again.devnet.scheduler.tasks() == devnet.scheduler.tasks()
    # a clean shutdown snapshots the tail too: the next start replays nothing
    again.journal.close()
    third, _ = boot.build(state=str(state))
    assert third.journal is not None and third.journal.restored == (covered + 3, 0)
    assert block_hashes(third.devnet) == chain
    crash(third)


def _checkpoints(node: Node) -> checkpoint.Checkpoints:
    assert node.journal is not None
    (hook,) = node.journal.on_close
    return hook.__self__  # type: ignore[attr-defined]


def test_a_damaged_or_foreign_snapshot_is_ignored_and_the_journal_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state))
    for n in range(3):
        send(node, n)
    chain = block_hashes(node.devnet)
    node.journal.close()  # type: ignore[union-attr]
    snapshot = Path(str(state) + checkpoint.SUFFIX)
    data = bytearray(snapshot.read_bytes())
    data[-10] ^= 0xFF
    snapshot.write_bytes(bytes(data))

    node, _ = boot.build(state=str(state))
    assert node.journal is not None and node.journal.restored == (0, 3)
    assert "is damaged" in capsys.readouterr().err
    assert block_hashes(node.devnet) == chain
    crash(node)
    # a snapshot of another journal (same options, another history) is not applied
    other = tmp_path / "other.jsonl"
    node, _ = boot.build(state=str(other))
    send(node, 0, value=12345)
    node.journal.close()  # type: ignore[union-attr]
    Path(str(other) + checkpoint.SUFFIX).replace(snapshot)
    node, _ = boot.build(state=str(state))
    assert node.journal is not None and node.journal.restored == (0, 3)
    assert "it is not of this journal" in capsys.readouterr().err
    assert block_hashes(node.devnet) == chain
    crash(node)


def test_a_long_replay_shows_its_progress_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state))
    node.request("anvil_mine", ["0x5"])
    send(node, 0)
    crash(node)
    monkeypatch.setattr(boot, "PROGRESS_SECONDS", 0.0)
    node, _ = boot.build(state=str(state))
    err = capsys.readouterr().err
    assert f"replaying {state}: entry 1 of 2 (anvil_mine)" in err
    assert "entry 2 of 2 (eth_sendRawTransaction), 6 blocks" in err
    assert f"replayed {state} in" in err
    crash(node)


def test_the_startup_the_chain_depends_on_must_match(tmp_path: Path) -> None:
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state), models=str(MODELS), genesis_time=1_700_000_000)
    send(node, 0)
    crash(node)
    with pytest.raises(StateFileError) as refused:
        boot.build(state=str(state))
    message = str(refused.value)
    assert str(state) in message
    assert "--genesis-time: the journal has 1700000000, this start 1735689600" in message
    assert "--models: the journal has models Qm" in message and "this start no models" in message
    assert boot.build(state=str(state), models=str(MODELS), genesis_time=1_700_000_000)[1] == 1


def test_a_second_journal_on_the_same_file_is_refused_by_the_lock(tmp_path: Path) -> None:
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state))
    with pytest.raises(StateFileError, match=f"{state} is in use by another og process"):
        Journal(state, boot.startup(node.devnet))
    crash(node)
    Journal(state, boot.startup(node.devnet)).close()  # free once the first is closed


def test_the_journal_header_names_what_the_chain_depends_on(tmp_path: Path) -> None:
    state = tmp_path / "s.jsonl"
    node, _ = boot.build(state=str(state), models=str(MODELS))
    crash(node)
    header = json.loads(lines(state)[0])
    assert header["og_devnet_journal"] == 1
    assert header["genesis_time"] == 1_735_689_600
    assert header["genesis_hash"] == block_hashes(node.devnet)[0]
    assert header["models"] == sorted(node.devnet.models)
    assert header["prices"] == statefile.prices_digest(node.devnet)
