"""``make bench``: the performance targets, measured through the public SDK.

Prints a table (measure, median, target, met?) and writes bench/results/latest.json. Times
are medians of repeated runs after warm-up; ratios compare figures measured in this same run.
Nothing here asserts: a missed target is reported, not raised.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from web3 import HTTPProvider, Web3

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    Alpha,
    CandleOrder,
    CandleType,
    HistoricalInputQuery,
    InferenceMode,
    SchedulerParams,
)
from og_alpha.contracts import bytecode
from og_alpha.wire import encode_hub_run, encode_model_input
from og_devnet import Devnet
from og_devnet.accounts import dev_key

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "fixtures" / "models"
RESULTS = ROOT / "bench" / "results"
ANVIL = ROOT / "bench" / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
QUERY = HistoricalInputQuery(
    "ETH",
    "USD",
    10,
    1,
    CandleOrder.ASCENDING,
    [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE],
)


def ohlc(rows: int) -> np.ndarray:
    rng = np.random.default_rng(rows)
    return (3300 + rng.standard_normal((rows, 4)) * 5).astype(np.float32)


def median_ms(fn: Callable[[], Any], runs: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def og_devnet(*args: str) -> Iterator[str]:
    """``og devnet --port 0 ARGS`` in a subprocess for the block; yields its URL."""
    og = str(Path(sys.executable).with_name("og"))
    proc = subprocess.Popen(
        [og, "devnet", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Listening on" in line:
                url = line.split("Listening on ")[1].split()[0]
                break
        assert url, "og devnet did not start"
        yield url
    finally:
        proc.terminate()
        proc.wait()


def interleaved(runs: dict[str, Callable[[], Any]], batches: int = 8) -> dict[str, float]:
    """Median ms of each run, measured in alternating batches of 8 so that every run sees
    the same machine load (3 warm-up calls each first)."""
    times: dict[str, list[float]] = {k: [] for k in runs}
    for fn in runs.values():
        for _ in range(3):
            fn()
    for _ in range(batches):
        for name, fn in runs.items():
            for _ in range(8):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def sdk_client(url: str, index: int) -> Alpha:
    """The SDK on a node URL as users connect it (its own Web3, dev account ``index``): the
    same client for anvil and og devnet."""
    return Alpha(
        "0x" + dev_key(index).hex(),
        rpc_url=url,
        inference_contract_address=INFERENCE_HUB_ADDRESS,
        api_url=url,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def transfer(web3: Web3, account: Any, nonce: list[int]) -> None:
    signed = account.sign_transaction(
        {
            "to": "0x000000000000000000000000000000000000dEaD",
            "value": 1,
            "gas": 21000,
            "gasPrice": 2 * 10**9,
            "nonce": nonce[0],
            "chainId": web3.eth.chain_id,
        }
    )
    nonce[0] += 1
    web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(signed.raw_transaction))


# --- measures -----------------------------------------------------------------------------
def bench_infer(rows: dict[str, Any]) -> None:
    devnet = Devnet()
    alpha = devnet.alpha()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    x = ohlc(10)
    rows["infer_ms"] = median_ms(
        lambda: alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": x}), 60
    )
    account = devnet.accounts[1]
    nonce = [0]
    rows["transfer_ms"] = median_ms(lambda: transfer(devnet.web3, account, nonce), 60)
    rows["infer_over_transfer"] = rows["infer_ms"] / rows["transfer_ms"]
    curve = {}
    for n in (10, 100, 1000, 10000):
        data = ohlc(n)
        curve[n] = median_ms(
            lambda d=data: alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": d}),
            15 if n < 10000 else 5,
            warmup=1,
        )
    rows["infer_rows_ms"] = curve
    rows["infer_1000_over_10"] = curve[1000] / curve[10]
    address = alpha.new_workflow(cid, QUERY, "open_high_low_close")
    rows["run_workflow_ms"] = median_ms(lambda: alpha.run_workflow(address), 40)


def bench_anvil(rows: dict[str, Any]) -> None:
    if not ANVIL.exists():
        rows["anvil_infer_ms"] = None
        return
    mock = subprocess.run(
        ["node", str(ROOT / "bench" / "compile_mock.js")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    port = free_port()
    proc = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        web3 = Web3(HTTPProvider(url))
        for _ in range(100):
            try:
                _ = web3.eth.chain_id
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        hub = "0x" + bytecode("InferenceHub", deployed=True).hex()
        web3.provider.make_request("anvil_setCode", [INFERENCE_HUB_ADDRESS, hub])
        web3.provider.make_request(
            "anvil_setCode", ["0x00000000000000000000000000000000000000F4", mock]
        )
        alpha = sdk_client(url, 0)
        # the form the issue measured: a Web3 the user built, with web3's default middleware
        user_web3 = Alpha(Web3(HTTPProvider(url)), alpha.wallet_account, INFERENCE_HUB_ADDRESS, url)
        x = ohlc(10)
        devnet = Devnet()
        local = devnet.alpha()
        cid = devnet.models.add(MODELS / "ohlc.onnx")
        # run_workflow on a devnet of its own: each run deploys a results contract, and the
        # infers' devnet would grow by ~100 accounts that anvil's side never has
        other = Devnet()
        workflows = other.alpha()
        workflow = workflows.new_workflow(
            other.models.add(MODELS / "ohlc.onnx"), QUERY, "open_high_low_close"
        )
        # Interleaved: alternating batches, so both sides see the same machine load.
        runs = {
            "anvil": lambda: alpha.infer(
                "QmMock", InferenceMode.VANILLA, {"open_high_low_close": x}
            ),
            "anvil_web3": lambda: user_web3.infer(
                "QmMock", InferenceMode.VANILLA, {"open_high_low_close": x}
            ),
            "local": lambda: local.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": x}),
            "workflow": lambda: workflows.run_workflow(workflow),
        }
        medians = interleaved(runs)
        rows["anvil_infer_ms"] = medians["anvil"]
        rows["anvil_web3_infer_ms"] = medians["anvil_web3"]
        rows["infer_over_anvil_web3"] = medians["local"] / medians["anvil_web3"]
        rows["infer_side_by_side_ms"] = medians["local"]
        rows["infer_over_anvil"] = medians["local"] / medians["anvil"]
        rows["run_workflow_side_by_side_ms"] = medians["workflow"]
        rows["run_workflow_over_anvil"] = medians["workflow"] / medians["anvil"]
        rows["run_workflow_over_anvil_web3"] = medians["workflow"] / medians["anvil_web3"]
    finally:
        proc.terminate()
        proc.wait()


def bench_cli(rows: dict[str, Any]) -> None:
    """``og model cid FILE`` in a fresh interpreter, wall time (what a user waits)."""
    og = str(Path(sys.executable).with_name("og"))
    model = str(MODELS / "ohlc.onnx")

    def cid() -> None:
        subprocess.run([og, "model", "cid", model], check=True, capture_output=True)

    rows["cli_cid_ms"] = median_ms(cid, 7, warmup=1)


def bench_test_suite(rows: dict[str, Any]) -> None:
    """``make test`` (its venv and solc already set up by this target), wall time."""
    start = time.perf_counter()
    done = subprocess.run(["make", "-s", "test"], cwd=ROOT, capture_output=True, text=True)
    rows["test_suite_s"] = time.perf_counter() - start
    rows["test_suite_result"] = (done.stdout.strip().splitlines() or ["no output"])[-1]


def bench_trace(rows: dict[str, Any]) -> None:
    """debug_traceTransaction of an inference against the transaction's own time (its
    eth_sendRawTransaction, which executes and mines it), interleaved."""
    devnet = Devnet()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    account = devnet.accounts[0]
    data = (
        "0x"
        + encode_hub_run(
            cid, InferenceMode.VANILLA, encode_model_input({"open_high_low_close": ohlc(10)})
        ).hex()
    )
    sends: list[float] = []
    traces: list[float] = []
    for nonce in range(40):
        raw = account.sign_transaction(
            {
                "to": INFERENCE_HUB_ADDRESS,
                "data": data,
                "gas": 3_000_000,
                "gasPrice": 3 * 10**9,
                "nonce": nonce,
                "chainId": devnet.chain_id,
                "value": 0,
            }
        ).raw_transaction
        start = time.perf_counter()
        tx_hash = devnet.node.request("eth_sendRawTransaction", ["0x" + bytes(raw).hex()])
        sends.append(time.perf_counter() - start)
        start = time.perf_counter()
        devnet.node.request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
        traces.append(time.perf_counter() - start)
    rows["trace_tx_ms"] = statistics.median(sends[5:]) * 1000
    rows["trace_ms"] = statistics.median(traces[5:]) * 1000
    rows["trace_over_tx"] = rows["trace_ms"] / rows["trace_tx_ms"]


def bench_devnet_and_reset(rows: dict[str, Any]) -> None:
    Devnet()
    rows["devnet_ms"] = median_ms(Devnet, 10, warmup=1)
    devnet = Devnet()
    alpha = devnet.alpha()
    cid = devnet.models.add(MODELS / "linear.onnx")
    devnet.prices.load_csv(ROOT / "fixtures" / "prices" / "eth_usd_1m.csv", "ETH", "USD")

    def one_test() -> float:
        snapshot = devnet.snapshot()
        alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
        devnet.advance(60)
        start = time.perf_counter()
        devnet.revert(snapshot)
        return time.perf_counter() - start + (snapshot_cost(devnet))

    times = [one_test() for _ in range(40)]
    rows["reset_ms"] = statistics.median(times[5:]) * 1000


def snapshot_cost(devnet: Devnet) -> float:
    start = time.perf_counter()
    devnet.snapshot()
    return time.perf_counter() - start


def bench_schedules(rows: dict[str, Any]) -> None:
    devnet = Devnet()
    alpha = devnet.alpha()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    for _ in range(10):
        alpha.new_workflow(
            cid, QUERY, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=2)
        )
    start = time.perf_counter()
    runs = devnet.advance(100 * 60)
    rows["schedules_s"] = time.perf_counter() - start
    rows["schedules_runs"] = len(runs)


def bench_restart(rows: dict[str, Any]) -> None:
    """A week of one-minute scheduled runs under --state (10,080 runs, `og advance 604800`),
    then restarts: the snapshot written after the advance is loaded, nothing replayed."""
    import base64
    import tempfile

    from og_devnet.boot import build

    with tempfile.TemporaryDirectory() as directory:
        state = str(Path(directory) / "week.jsonl")
        node, _ = build(state=state)
        model = base64.b64encode((MODELS / "ohlc.onnx").read_bytes()).decode()
        cid = node.request("og_addModel", [model])
        node.devnet.alpha().new_workflow(
            cid, QUERY, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=168)
        )
        start = time.perf_counter()
        rows["restart_runs"] = node.request("og_advanceTime", [7 * 24 * 3600])["runs"]
        rows["restart_replay_s"] = time.perf_counter() - start  # what a restart replayed before
        assert node.journal is not None
        node.journal.close()  # waits for the snapshot
        rows["restart_snapshot_mb"] = Path(state + ".snapshot").stat().st_size / 2**20
        times = []
        for _ in range(3):
            start = time.perf_counter()
            again, _ = build(state=state)
            times.append(time.perf_counter() - start)
            assert again.journal is not None and again.journal.restored[1] == 0
            again.journal.close()
        rows["restart_s"] = statistics.median(times)


def memory_growth_mb() -> float:
    """RSS growth over 5,000 infer() (distinct inputs), after 200 to warm up."""
    devnet = Devnet()
    alpha = devnet.alpha()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    for i in range(200):
        alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": ohlc(10) + i})
    before = rss_mb()
    for i in range(5000):
        alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": ohlc(10) + i})
    return rss_mb() - before


def bench_memory(rows: dict[str, Any]) -> None:
    """In a fresh process (the target), and in this one after the other steps, where memory
    they freed is reused and the growth looks smaller, by up to half."""
    child = subprocess.run(
        [sys.executable, __file__, "--memory-growth"], check=True, capture_output=True, text=True
    )
    rows["rss_growth_mb"] = float(child.stdout.split()[-1])
    rows["rss_growth_in_sequence_mb"] = memory_growth_mb()


def bench_server(rows: dict[str, Any]) -> None:
    with og_devnet("--models", str(MODELS)) as url:
        from og_devnet.cid import ipfs_cid_v0

        cid = ipfs_cid_v0((MODELS / "ohlc.onnx").read_bytes())
        per_client = 40
        x = ohlc(10)
        barrier = threading.Barrier(5)

        def client(index: int) -> None:
            alpha = sdk_client(url, index)
            alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": x})  # warm-up
            barrier.wait()
            for _ in range(per_client):
                alpha.infer(cid, InferenceMode.VANILLA, {"open_high_low_close": x})

        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        rows["server_infer_per_s"] = 4 * per_client / (time.perf_counter() - start)


def bench_fork(rows: dict[str, Any]) -> None:
    """A fork of an og devnet on loopback: the first read of an account (balance, nonce and
    code in one batch to the remote) against the same read once kept; infer on the fork with
    its model in the model cache against infer on a fresh devnet, interleaved."""
    import tempfile

    from og_devnet.cid import ipfs_cid_v0
    from og_devnet.model_cache import ModelCache

    model = (MODELS / "ohlc.onnx").read_bytes()
    cid = ipfs_cid_v0(model)
    with og_devnet("--models", str(MODELS)) as url, tempfile.TemporaryDirectory() as cache:
        ModelCache(cache).put(cid, model)
        fork = Devnet(fork_url=url, model_cache=cache)
        addresses = [Web3.to_checksum_address(f"0x{0xF0000 + i:040x}") for i in range(60)]

        def reads() -> list[float]:
            times = []
            for address in addresses:
                start = time.perf_counter()
                fork.web3.eth.get_balance(address)
                times.append(time.perf_counter() - start)
            return times

        rows["fork_first_read_ms"] = statistics.median(reads()) * 1000
        rows["fork_cached_read_ms"] = statistics.median(reads()) * 1000
        fresh = Devnet()
        fresh.models.add(model)
        on_fork, on_fresh = fork.alpha(), fresh.alpha()
        x = {"open_high_low_close": ohlc(10)}
        medians = interleaved(
            {
                "fork": lambda: on_fork.infer(cid, InferenceMode.VANILLA, x),
                "fresh": lambda: on_fresh.infer(cid, InferenceMode.VANILLA, x),
            }
        )
        rows["fork_infer_ms"] = medians["fork"]
        rows["fresh_infer_side_by_side_ms"] = medians["fresh"]
        rows["fork_infer_over_fresh"] = medians["fork"] / medians["fresh"]


# --- report -------------------------------------------------------------------------------
def report(rows: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    def ok(flag: bool | None) -> str:
        return "n/a" if flag is None else ("yes" if flag else "NO")

    anvil = rows.get("anvil_infer_ms")
    curve = rows["infer_rows_ms"]
    lines = [
        (
            "infer(), OHLC [10, 4], in-process",
            f"{rows['infer_ms']:.2f} ms",
            "<= 10 ms",
            ok(rows["infer_ms"] <= 10),
        ),
        ("  signed value transfer, same Web3", f"{rows['transfer_ms']:.2f} ms", "", ""),
        (
            "  infer / transfer",
            f"{rows['infer_over_transfer']:.2f}x",
            "<= 2x",
            ok(rows["infer_over_transfer"] <= 2),
        ),
        (
            "infer() against anvil + Solidity mock at 0xF4 (interleaved with in-process)",
            "not installed" if anvil is None else f"{anvil:.2f} ms",
            "",
            "",
        ),
        (
            "  in-process infer() / anvil, anvil's client the SDK by URL (its own HTTP client)",
            "n/a" if anvil is None else f"{rows['infer_over_anvil']:.2f}x",
            "<= 0.5x",
            ok(None if anvil is None else rows["infer_over_anvil"] <= 0.5),
        ),
        (
            "  the same, anvil's client a Web3 built by the user (web3's default middleware)",
            "n/a"
            if anvil is None
            else f"{rows['infer_over_anvil_web3']:.2f}x "
            f"(anvil {rows['anvil_web3_infer_ms']:.2f} ms)",
            "<= 0.5x",
            ok(None if anvil is None else rows["infer_over_anvil_web3"] <= 0.5),
        ),
        (
            "  in-process run_workflow() / anvil infer(), the SDK by URL",
            "n/a" if anvil is None else f"{rows['run_workflow_over_anvil']:.2f}x",
            "<= 0.8x",
            ok(None if anvil is None else rows["run_workflow_over_anvil"] <= 0.8),
        ),
        (
            "  the same, anvil's client a Web3 built by the user",
            "n/a" if anvil is None else f"{rows['run_workflow_over_anvil_web3']:.2f}x",
            "<= 0.8x",
            ok(None if anvil is None else rows["run_workflow_over_anvil_web3"] <= 0.8),
        ),
        (
            "run_workflow(), [10, 4] candles",
            f"{rows['run_workflow_ms']:.2f} ms",
            "<= 15 ms",
            ok(rows["run_workflow_ms"] <= 15),
        ),
        (
            "Devnet() with genesis contracts",
            f"{rows['devnet_ms']:.2f} ms",
            "<= 100 ms",
            ok(rows["devnet_ms"] <= 100),
        ),
        (
            "per-test reset (snapshot + revert)",
            f"{rows['reset_ms']:.2f} ms",
            "<= 5 ms",
            ok(rows["reset_ms"] <= 5),
        ),
        (
            f"10 workflows x 100 runs via advance ({rows['schedules_runs']} runs)",
            f"{rows['schedules_s']:.2f} s",
            "<= 8 s",
            ok(rows["schedules_s"] <= 8),
        ),
    ]
    for n, ms in curve.items():
        lines.append((f"infer() with {n} rows x 4", f"{ms:.2f} ms", "", ""))
    lines += [
        (
            "  1,000 rows / 10 rows",
            f"{rows['infer_1000_over_10']:.2f}x",
            "<= 10x",
            ok(rows["infer_1000_over_10"] <= 10),
        ),
        (
            "RSS growth over 5,000 infer(), a fresh process",
            f"{rows['rss_growth_mb']:.1f} MB",
            "<= 30 MB",
            ok(rows["rss_growth_mb"] <= 30),
        ),
        (
            "  the same after the other steps, in the bench's process",
            f"{rows['rss_growth_in_sequence_mb']:.1f} MB",
            "",
            "",
        ),
        (
            "og model cid FILE (a fresh process)",
            f"{rows['cli_cid_ms']:.0f} ms",
            "<= 500 ms",
            ok(rows["cli_cid_ms"] <= 500),
        ),
        (
            f"make test wall time, {os.cpu_count()} CPUs ({rows['test_suite_result']})",
            f"{rows['test_suite_s']:.0f} s",
            "<= 60 s",
            ok(rows["test_suite_s"] <= 60),
        ),
        (
            "og devnet, 4 HTTP clients sending infer txs",
            f"{rows['server_infer_per_s']:.1f} /s",
            ">= 100 /s",
            ok(rows["server_infer_per_s"] >= 100),
        ),
        (
            f"og --state restart after {rows['restart_runs']:,} scheduled runs (snapshot "
            f"{rows['restart_snapshot_mb']:.0f} MB; replaying them took "
            f"{rows['restart_replay_s']:.0f} s)",
            f"{rows['restart_s']:.2f} s",
            "<= 5 s",
            ok(rows["restart_s"] <= 5),
        ),
        (
            "fork of og devnet on loopback: first read of an account / the same read kept",
            f"{rows['fork_first_read_ms']:.2f} ms / {rows['fork_cached_read_ms']:.3f} ms",
            "",
            "",
        ),
        (
            "infer() on a fork, model cached / on a fresh devnet (interleaved)",
            f"{rows['fork_infer_ms']:.2f} ms / {rows['fresh_infer_side_by_side_ms']:.2f} ms = "
            f"{rows['fork_infer_over_fresh']:.2f}x",
            "<= 1.2x",
            ok(rows["fork_infer_over_fresh"] <= 1.2),
        ),
        (
            "debug_traceTransaction of an infer / the infer's own send",
            f"{rows['trace_ms']:.2f} ms / {rows['trace_tx_ms']:.2f} ms = "
            f"{rows['trace_over_tx']:.2f}x",
            "<= 3x",
            ok(rows["trace_over_tx"] <= 3),
        ),
    ]
    return lines


def main() -> None:
    if sys.argv[1:] == ["--memory-growth"]:
        print(memory_growth_mb())
        return
    only = set(sys.argv[1:])
    rows: dict[str, Any] = {}
    steps = [
        bench_infer,
        bench_anvil,
        bench_trace,
        bench_devnet_and_reset,
        bench_schedules,
        bench_memory,
        bench_server,
        bench_fork,
        bench_restart,
        bench_cli,
        bench_test_suite,
    ]
    for step in steps:
        if only and step.__name__.removeprefix("bench_") not in only:
            continue
        print(f"... {step.__name__.removeprefix('bench_')}", file=sys.stderr, flush=True)
        step(rows)
    if only:
        print(json.dumps(rows, indent=2, default=str))
        return
    lines = report(rows)
    widths = [max(len(r[i]) for r in lines) for i in range(4)]
    header = ("measure", "median", "target", "met")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (RESULTS / "latest.json").write_text(
        json.dumps({"meta": meta, "rows": rows, "table": lines}, indent=2, default=str) + "\n"
    )
    print(f"\nwritten to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
