"""The ``og`` command, in-process (``main(argv)``): every command on ``local`` with
``--state`` and on ``--network devnet``, tables and ``--json``, durations, notes and progress.

One subprocess per command family is in test_cli_smoke.py; errors in test_cli_errors.py.
"""

from __future__ import annotations

import argparse
import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest

from og_devnet import cli, progress
from tests.conftest import MODELS
from tests.e2e.conftest import Og, Served

ROOT = Path(__file__).resolve().parents[2]
LINEAR = str(MODELS / "linear.onnx")
OHLC = str(MODELS / "ohlc.onnx")


def test_every_command_runs_on_local_with_state_and_json_parses(og: Og, tmp_path: Path) -> None:
    state = ["--state", str(tmp_path / "local.jsonl")]
    cid = og("model", "cid", LINEAR).out.strip()
    assert og("model", "cid", LINEAR, "--json").json()["cid"] == cid
    assert og("model", "add", LINEAR, *state, "--json").json()["cid"] == cid
    assert [m["cid"] for m in og("model", "list", *state, "--json").json()] == [cid]
    assert cid in og("model", "list", *state).out
    out = og("infer", cid, "--input", '{"x": [[1, 2, 3]]}', *state, "--json").json()
    assert out["model_output"]["y"] == [[4.1]] and out["model_cid"] == cid
    assert "4.1" in og("infer", cid, "--input", '{"x": [[1, 2, 3]]}', "--mode", "tee", *state).out
    deploy = ["workflow", "deploy", OHLC, "--input-name", "open_high_low_close", *state]
    address = og(*deploy, "--every", "1m", "--for", "1h", "--json").json()["address"]
    advanced = og("advance", "10m", *state, "--json").json()
    assert (advanced["runs"], advanced["succeeded"], advanced["failed"]) == (10, 10, [])
    # genesis + 10m + four transactions' blocks a second apart (two infers, deploy, register)
    assert advanced["timestamp"] == 1_735_689_600 + 4 + 600
    history = og("workflow", "history", address, "-n", "3", *state, "--json").json()
    assert len(history) == 3 and "price" in history[0]["numbers"]
    run = og("workflow", "run", address, *state, "--json").json()
    assert run == og("workflow", "result", address, *state, "--json").json()
    assert "price" in og("workflow", "history", address, *state).out
    assert (
        "ran 50 scheduled workflow run(s), 50 succeeded, 0 failed"
        in og("advance", "50m", *state).out
    )


def test_the_same_commands_on_a_served_devnet(og: Og, served: Served) -> None:
    net = ["--network", "devnet", "--rpc-url", served.url]
    cid = og("model", "add", LINEAR, *net).out.strip()
    assert served.devnet.models.get(cid) is not None
    out = og("infer", cid, "--input", '{"x": [[1, 2, 3]]}', *net, "--json").json()
    assert out["model_output"]["y"] == [[4.1]]
    address = og(
        "workflow", "deploy", OHLC, "--input-name", "open_high_low_close", "--every", "60", *net
    ).out.strip()
    report = og("advance", "2h", *net, "--json").json()
    assert (report["runs"], report["succeeded"]) == (60, 60)  # the schedule's default 1h
    assert len(og("workflow", "history", address, "-n", "100", *net, "--json").json()) == 60
    ran = og("model", "list", *net)
    assert ran.code == 0 and "note:" not in ran.err  # nothing thrown away: it is served


def test_durations_in_every_time_option(og: Og, tmp_path: Path) -> None:
    state = ["--state", str(tmp_path / "s.jsonl")]
    deploy = ["workflow", "deploy", OHLC, "--input-name", "open_high_low_close", *state]
    assert og(*deploy, "--every", "15m", "--for", "1d", "--candle-duration", "5m").code == 0
    report = og("advance", "1h30m", *state, "--json").json()
    assert (report["runs"], report["timestamp"]) == (6, 1_735_689_600 + 2 + 90 * 60)
    week = og("advance", "7d", *state, "--json").json()
    assert (week["runs"], week["timestamp"]) == (90, report["timestamp"] + 7 * 86_400)  # 1d's rest
    assert og("advance", "90", *state, "--json").json()["timestamp"] == week["timestamp"] + 90


def test_a_throwaway_local_devnet_says_so_and_state_does_not(og: Og, tmp_path: Path) -> None:
    ran = og("model", "add", LINEAR)
    assert ran.code == 0
    assert ran.lines == [
        "og: note: this command ran on a new in-process devnet, gone now that it ended; give "
        "--state FILE to keep models, workflows and time between commands (or use --network "
        "devnet with `og devnet` running)"
    ]
    assert og("model", "list").out.strip() == "no models"
    assert og("model", "add", LINEAR, "--state", str(tmp_path / "s.jsonl")).err == ""
    assert og("model", "add", LINEAR, "-q").err == ""


def test_progress_lines_without_a_terminal(
    og: Og, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = ["--state", str(tmp_path / "s.jsonl")]
    deploy = ["workflow", "deploy", OHLC, "--input-name", "open_high_low_close", *state]
    assert og(*deploy, "--every", "2m", "--for", "1h").code == 0
    monkeypatch.setattr(progress, "AFTER", 0)  # report every step, however quick
    ran = og("advance", "1h", *state)
    assert ran.code == 0
    assert ran.lines[0] == f"og: starting the in-process devnet from {state[1]} ..."
    assert ran.lines[1].startswith(f"og: starting the in-process devnet from {state[1]}: done in")
    assert ran.lines[2].startswith("og: advancing the clock 1h: ")
    assert ran.lines[-1].startswith("og: advancing the clock 1h: 30/30 scheduled runs, 100%")
    assert og("advance", "1h", *state, "-q").err == ""


def test_a_key_for_another_network_is_not_used_on_local(
    og: Og, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OG_PRIVATE_KEY", "0x" + "11" * 32)  # unfunded on any devnet
    ran = og("infer", LINEAR, "--input", '{"x": [[1, 2, 3]]}', "--json")
    assert ran.code == 0, ran.err
    assert ran.lines[0] == (
        "og: note: OG_PRIVATE_KEY is not used on 'local': it is set for another network (set "
        "the network in the same place, or pass the key explicitly, to sign with it here); dev "
        "account 0 signs instead"
    )


def test_version_and_help(og: Og) -> None:
    ran = og("--version")
    assert ran.code == 0 and ran.out.startswith("og 0.") and "og-alpha-devkit" in ran.out
    ran = og("--help")
    assert ran.code == 0 and "exit codes: 0 ok, 1 the network refused" in ran.out


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _parsers(child)


def test_every_option_has_help_and_shows_its_default() -> None:
    unexplained, no_default = [], []
    for parser in _parsers(cli.parser()):
        formatter = parser._get_formatter()
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            if isinstance(action, argparse._SubParsersAction):
                continue
            name = f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"
            if not action.help:
                unexplained.append(name)
            shown = formatter._get_help_string(action)  # type: ignore[attr-defined]
            if action.default not in (None, False, []) and "default" not in shown:
                no_default.append(name)
    assert unexplained == [] and no_default == []


def test_examples_run_on_local(og: Og, capsys: pytest.CaptureFixture[str]) -> None:
    """Each example as ``python examples/X.py`` runs it (as ``__main__``), in-process, in the
    og fixture's clean environment (no OG_* settings, no og.toml): on the local devnet."""
    for example in sorted((ROOT / "examples").glob("*.py")):
        runpy.run_path(str(example), run_name="__main__")
        assert "0x" in capsys.readouterr().out, example.name
