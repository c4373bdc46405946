"""``og devnet --state`` as a user runs it: a restart keeps exactly what was acknowledged,
after kill -9 too, or refuses to start with one line that names the file and the fix.

The nodes that write, die and restart are real ``og devnet`` processes. A refusal to start is
the command's ``main()`` run in-process (as tests/e2e runs ``og``), and once by the process
itself (exit code 2, one line, nothing served)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account import Account

from og_alpha import InferenceMode
from og_devnet import checkpoint, statefile
from og_devnet.accounts import dev_key
from og_devnet.cid import ipfs_cid_v0
from tests.conftest import MODELS, Og
from tests.devnet.test_statefile import raw_transfer
from tests.server.conftest import OG, Node, Served, serve_in_thread, start_node, stop
from tests.server.test_server import http_alpha, rpc


def send(node: Node | Served, nonces: range) -> list[str]:
    """Transfers, each acknowledged (its hash answered) before the next is sent."""
    hashes = []
    for nonce in nonces:
        answer = rpc(node.url, "eth_sendRawTransaction", [raw_transfer(nonce)])
        assert "result" in answer, answer
        hashes.append(answer["result"])
    return hashes


def chain(node: Node | Served) -> list[str]:
    head = int(rpc(node.url, "eth_blockNumber")["result"], 16)
    return [
        rpc(node.url, "eth_getBlockByNumber", [hex(n), False])["result"]["hash"]
        for n in range(head + 1)
    ]


def refused_by_the_process(*args: str) -> str:
    """Run ``og devnet`` expecting it to refuse to start: exit code 2, one line on stderr
    (no traceback), nothing served. Returns that line."""
    process = subprocess.Popen(
        [OG, "devnet", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"og devnet started instead of refusing:\n{out}{err}")
    assert "Listening on" not in out
    assert process.returncode == 2, (out, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def refused(og: Og, *args: str) -> str:
    """``og devnet ARGS`` in-process, expecting it to refuse to start: exit code 2, one line on
    stderr (no traceback), nothing served (the og fixture fails a test that serves). Returns
    that line."""
    ran = og("devnet", "--port", "0", *args)
    assert ran.code == 2, (ran.out, ran.err)
    assert "Traceback" not in ran.err
    assert len(ran.lines) == 1, ran.err
    return ran.lines[0]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state.jsonl"


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The journal of an og devnet that took 20 transfers and was killed with SIGKILL."""
    state = tmp_path_factory.mktemp("killed") / "state.jsonl"
    node = start_node("--state", str(state))
    try:
        send(node, range(20))
    finally:
        node.kill(signal.SIGKILL)
    assert not Path(str(state) + checkpoint.SUFFIX).exists()  # no snapshot: every line replays
    return state.read_bytes()


def test_a_flipped_digit_in_a_journaled_transaction_stops_the_restart_and_changes_nothing(
    killed: bytes, state: Path
) -> None:
    lines = killed.splitlines(keepends=True)
    third = lines[3]  # the header is line 1
    assert b"eth_sendRawTransaction" in third
    at = third.index(b'"0x') + 60
    lines[3] = third[:at] + (b"1" if third[at : at + 1] != b"1" else b"2") + third[at + 1 :]
    state.write_bytes(b"".join(lines))

    line = refused_by_the_process("--state", str(state))
    assert line.startswith(f"og: error: {state} line 4: the entry is damaged")
    assert f"head -n 3 {state} > new.jsonl" in line
    assert state.read_bytes() == b"".join(lines)
    assert not Path(str(state) + checkpoint.SUFFIX).exists()


def test_a_deleted_line_stops_the_restart(killed: bytes, state: Path, og: Og) -> None:
    lines = killed.splitlines(keepends=True)
    del lines[3]
    state.write_bytes(b"".join(lines))
    line = refused(og, "--state", str(state))
    assert f"{state} line 4 holds entry 4 where entry 3 belongs" in line
    assert "entries 3..3 are missing" in line


def test_restart_without_the_startup_models_is_refused_and_with_them_the_inference_stands(
    state: Path, og: Og
) -> None:
    """What og devnet serves (its server in a thread; the process is killed elsewhere)."""
    first = serve_in_thread(models=str(MODELS), state=str(state))
    linear = ipfs_cid_v0((MODELS / "linear.onnx").read_bytes())
    try:
        result = http_alpha(first).infer(linear, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    finally:
        stop(first)

    line = refused(og, "--state", str(state))
    assert f"{state} was written by a devnet started differently" in line
    assert "--models: the journal has models Qm" in line and "this start no models" in line
    restarted = serve_in_thread(models=str(MODELS), state=str(state))
    try:
        receipt = rpc(restarted.url, "eth_getTransactionReceipt", [result.transaction_hash])
    finally:
        stop(restarted)
    assert receipt["result"]["status"] == "0x1"


def test_a_second_node_on_the_same_state_file_is_refused(
    node_factory: Callable[..., Node], state: Path, og: Og
) -> None:
    first = node_factory("--state", str(state))
    send(first, range(2))
    line = refused(og, "--state", str(state))
    assert line == (
        f"og: error: the state file {state} is in use by another og process (one node per "
        "journal): stop that process, or give this one another --state file"
    )
    assert send(first, range(2, 3))  # the first goes on, alone on its journal
    assert len(state.read_bytes().splitlines()) == 4


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"timestamp,open,high,low,close,volume\n1735689600,1,2,0.5,1.5", "not an og devnet"),
        (b'{"m":"evm_mine","p":[]}\n{"m":"evm_mine","p":[]}\n', "of an older og devnet"),
        (bytes(range(256)) * 4, "not an og devnet state journal"),
    ],
)
def test_a_file_that_is_not_a_journal_is_refused_untouched(
    state: Path, content: bytes, says: str, og: Og
) -> None:
    state.write_bytes(content)
    line = refused(og, "--state", str(state))
    assert str(state) in line and says in line
    assert state.read_bytes() == content


@contextlib.contextmanager
def read_only_directory() -> Iterator[Path]:
    """A directory the node cannot write: a read-only tmpfs as root, else a mode-0555 one."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name) / "ro"
        directory.mkdir()
        if os.geteuid() != 0:
            directory.chmod(0o555)
            yield directory
            directory.chmod(0o755)
            return
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(directory)],
            capture_output=True,
        )
        if mounted.returncode != 0:
            pytest.skip("root without mount: cannot make a read-only file system here")
        try:
            yield directory
        finally:
            subprocess.run(["umount", str(directory)], check=True)


def test_a_state_file_on_a_read_only_file_system_is_refused_in_one_line(og: Og) -> None:
    with read_only_directory() as directory:
        target = directory / "state.jsonl"
        line = refused(og, "--state", str(target))
    assert line.startswith(f"og: error: cannot open the state file {target} for writing: ")
    assert re.search(r"(Read-only file system|Permission denied) \(--state needs", line), line


def test_a_call_whose_journal_entry_cannot_be_written_is_refused_undone_and_can_be_retried(
    node_factory: Callable[..., Node], served_factory: Callable[..., Served], state: Path
) -> None:
    """The disk refuses the write (here: the node's file size limit, as a full disk would);
    the call is answered with an error naming the file, and nothing of it is left."""
    node = node_factory("--state", str(state))
    acknowledged = send(node, range(3))
    size = state.stat().st_size
    line_size = len(state.read_bytes().splitlines(keepends=True)[-1])
    limit = size + line_size // 2  # half the next entry fits
    _, hard = resource.prlimit(node.process.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(node.process.pid, resource.RLIMIT_FSIZE, (limit, hard))
    before = chain(node)
    answer = rpc(node.url, "eth_sendRawTransaction", [raw_transfer(3)])
    assert "error" in answer, answer
    message = answer["error"]["message"]
    assert message.startswith("eth_sendRawTransaction was not applied: the state journal")
    assert f"File too large (writing {state})" in message
    assert chain(node) == before  # undone
    nonce = rpc(
        node.url, "eth_getTransactionCount", [Account.from_key(dev_key(1)).address, "latest"]
    )
    assert nonce["result"] == "0x3"
    assert state.stat().st_size == size  # the half-written entry was cut back

    resource.prlimit(node.process.pid, resource.RLIMIT_FSIZE, (hard, hard))
    acknowledged += send(node, range(3, 5))  # the same transaction again: accepted once
    head = chain(node)
    node.kill(signal.SIGKILL)
    restarted = served_factory(state=str(state))  # in-process
    assert chain(restarted) == head
    for tx in acknowledged:
        assert rpc(restarted.url, "eth_getTransactionReceipt", [tx])["result"]["status"] == "0x1"
    entries = [json.loads(line) for line in state.read_bytes().splitlines()[1:]]
    assert [e["p"][0] for e in entries] == [raw_transfer(n) for n in range(5)]


def test_kill_9_after_a_snapshot_restarts_from_it_and_the_tail_keeping_everything_acknowledged(
    node_factory: Callable[..., Node], state: Path
) -> None:
    node = node_factory("--state", str(state))
    snapshot = Path(str(state) + checkpoint.SUFFIX)
    acknowledged = []
    nonce = 0
    while not snapshot.exists():  # a snapshot is due once replaying would take a while
        acknowledged += send(node, range(nonce, nonce + 10))
        nonce += 10
        assert nonce <= 500, "no snapshot was written"
    # the tail: calls after the snapshot, only in the journal
    acknowledged += send(node, range(nonce, nonce + 15))
    seen = chain(node)
    node.kill(signal.SIGKILL)
    covered = statefile.decode(snapshot.read_bytes()).meta["journal"]["entries"]
    total = len(state.read_bytes().splitlines()) - 1
    assert 0 < covered < total == len(acknowledged)

    restarted = node_factory("--state", str(state))
    assert f"replayed {total} journaled calls" in restarted.banner
    assert "ignoring" not in restarted.banner
    assert chain(restarted) == seen
    for tx in acknowledged:
        assert rpc(restarted.url, "eth_getTransactionReceipt", [tx])["result"]["status"] == "0x1"
