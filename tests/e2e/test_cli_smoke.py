"""One real process per ``og`` command family (demo, model, infer, workflow, advance, devnet):
the console script and ``python -m og_devnet`` start, print their result on stdout and their
notes and progress on stderr (a pipe, not a terminal). Everything else about the commands is
tested in-process (test_cli.py, test_cli_errors.py), as are the checks here that read what a
process left (a state file, a running node)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from og_alpha.networks import ENV
from tests.conftest import FIXTURES, MODELS, Og
from tests.server.conftest import start_node

OG = str(Path(sys.executable).with_name("og"))
LINEAR = str(MODELS / "linear.onnx")
PRICES = str(FIXTURES / "prices" / "eth_usd_1m.csv")
# og_devnet.progress's lines for a devnet start that took over a second (a loaded machine's)
START_PROGRESS = re.compile(
    r"og: starting the in-process devnet from .*( \.\.\.|: \d+ s so far|: done in [\d.]+ s)\n"
)


def og_process(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``og ARGV``, the console script, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if k not in ENV.values()}
    return subprocess.run(
        [OG, *argv], capture_output=True, text=True, timeout=300, cwd=cwd, env=env
    )


def test_python_dash_m_runs_og_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "og_devnet", "demo"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "linear.onnx" in done.stdout and "scheduled runs" in done.stdout


def test_model_family() -> None:
    done = og_process("model", "cid", LINEAR)
    assert (done.returncode, done.stdout.strip()) == (
        0,
        "QmQqjVpP7r7njiiUXy9nidzaqt1C4q6DDpuYprmVoJgd8v",
    )


def test_infer_family_on_a_throwaway_devnet() -> None:
    done = og_process("infer", LINEAR, "--input", '{"x": [[1, 2, 3]]}', "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["model_output"]["y"] == [[4.1]]
    assert done.stderr.splitlines()[-1].startswith("og: note: this command ran on a new")


def test_workflow_and_advance_families_keep_state(tmp_path: Path, og: Og) -> None:
    state = ["--state", str(tmp_path / "s.jsonl")]
    deploy = og_process(
        "workflow", "deploy", str(MODELS / "ohlc.onnx"), "--input-name", "open_high_low_close",
        "--every", "1m", *state,
    )  # fmt: skip
    assert deploy.returncode == 0 and START_PROGRESS.sub("", deploy.stderr) == "", deploy.stderr
    advanced = og_process("advance", "30m", *state, "--json")
    assert json.loads(advanced.stdout)["runs"] == 30, advanced.stderr
    history = og("workflow", "history", deploy.stdout.strip(), "-n", "50", *state, "--json")
    assert len(history.json()) == 30


def test_devnet_family_serves_the_pair_it_was_given(og: Og) -> None:
    named = start_node("--prices", PRICES, "--pair", "ABC/XYZ")
    try:
        assert "Price pairs         ABC/XYZ, BTC/USD, ETH/BTC, ETH/USD, OG/USD, SOL/USD" in (
            named.banner
        )
        assert "named from the file name" not in named.banner
        listed = og("model", "list", "--network", "devnet", "--rpc-url", named.url)
        assert (listed.code, listed.out.strip()) == (0, "no models")
    finally:
        named.kill()
