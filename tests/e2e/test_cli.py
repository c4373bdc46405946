"""The ``og`` command line on the local network: every command, tables and --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import MODELS

ROOT = Path(__file__).resolve().parents[2]
OG = str(Path(sys.executable).with_name("og"))


def og(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([OG, *args], capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_every_command_runs_on_local_and_json_parses(tmp_path: Path) -> None:
    state = ["--state", str(tmp_path / "local.jsonl")]
    linear = str(MODELS / "linear.onnx")
    cid = og("model", "cid", linear).stdout.strip()
    assert json.loads(og("model", "cid", linear, "--json").stdout)["cid"] == cid
    assert json.loads(og("model", "add", linear, *state, "--json").stdout)["cid"] == cid
    listed = json.loads(og("model", "list", *state, "--json").stdout)
    assert [m["cid"] for m in listed] == [cid]
    assert cid in og("model", "list", *state).stdout
    out = json.loads(og("infer", cid, "--input", '{"x": [[1, 2, 3]]}', *state, "--json").stdout)
    assert abs(out["model_output"]["y"][0][0] - 4.1) < 1e-6
    assert (
        "4.1" in og("infer", cid, "--input", '{"x": [[1, 2, 3]]}', "--mode", "tee", *state).stdout
    )
    address = json.loads(
        og(
            "workflow",
            "deploy",
            str(MODELS / "ohlc.onnx"),
            "--input-name",
            "open_high_low_close",
            "--every",
            "60",
            "--hours",
            "1",
            *state,
            "--json",
        ).stdout
    )["address"]
    advanced = json.loads(og("advance", "600", *state, "--json").stdout)
    assert advanced["runs"] == 10
    history = json.loads(og("workflow", "history", address, "-n", "3", *state, "--json").stdout)
    assert len(history) == 3 and "price" in history[0]["numbers"]
    run = json.loads(og("workflow", "run", address, *state, "--json").stdout)
    result = json.loads(og("workflow", "result", address, *state, "--json").stdout)
    assert run == result
    assert "price" in og("workflow", "history", address, *state).stdout


def test_errors_have_messages_and_exit_codes(tmp_path: Path) -> None:
    bad_json = og("infer", "QmX", "--input", "{x", check=False)
    assert bad_json.returncode == 2 and "not valid JSON" in bad_json.stderr
    unknown = og("infer", "QmUnknown", "--input", '{"x": [1.0]}', check=False)
    assert unknown.returncode == 1 and "unknown model CID 'QmUnknown'" in unknown.stderr
    missing = og("model", "cid", str(tmp_path / "nope.onnx"), check=False)
    assert missing.returncode == 2 and "is not a file" in missing.stderr
    no_workflow = og(
        "workflow", "result", "0x000000000000000000000000000000000000dEaD", check=False
    )
    assert no_workflow.returncode == 1 and "holds no contract" in no_workflow.stderr


def test_examples_run_on_local() -> None:
    for example in sorted((ROOT / "examples").glob("*.py")):
        result = subprocess.run(
            [sys.executable, str(example)],
            capture_output=True,
            text=True,
            timeout=300,
            env={"PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, f"{example.name}: {result.stderr}"
        assert "0x" in result.stdout
