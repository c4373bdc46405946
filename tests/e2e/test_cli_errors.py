"""Every way an ``og`` command fails: one or two lines on stderr saying what and how to fix
it, never a traceback; the exit code the README gives (1 the network refused or failed, 2 bad
input or configuration); and nothing sent or changed: the ``--state`` journal byte for byte,
a served devnet's blocks and models.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MODELS
from tests.e2e.conftest import Og, Ran, Served, closed_port

LINEAR = str(MODELS / "linear.onnx")
OHLC = str(MODELS / "ohlc.onnx")
DEAD = "0x000000000000000000000000000000000000dEaD"
OWN_KEY = "0x" + "11" * 32


def failed(ran: Ran, code: int, *fragments: str) -> None:
    assert ran.code == code, ran.err
    assert ran.out == ""
    assert "Traceback" not in ran.err
    assert 1 <= len(ran.lines) <= 2, ran.err
    assert ran.lines[-1].startswith(("og: error: ", "og ")), ran.err
    for fragment in fragments:
        assert fragment in ran.err


@pytest.fixture
def state(og: Og, tmp_path: Path) -> list[str]:
    """A --state file holding the linear model and a deployed, scheduled workflow."""
    option = ["--state", str(tmp_path / "state.jsonl")]
    assert og("model", "add", LINEAR, *option).code == 0
    deploy = ["workflow", "deploy", OHLC, "--input-name", "open_high_low_close", "--every", "60"]
    assert og(*deploy, *option).code == 0
    return option


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


BAD_INPUT = [
    (["infer", "QmX", "--input", "{x"], "--input is not valid JSON (Expecting property name"),
    (["infer", "QmX", "--input", "@missing.json"], "--input @missing.json: no such file; give"),
    (["infer", "QmX", "--input", "[1]"], "--input must be a JSON object of tensor name to value"),
    (["infer", "missing.onnx", "--input", "{}"], "model file missing.onnx does not exist"),
    (["infer", LINEAR, "--input", '{"x": [[1.0, [2]]]}'], "tensor 'x': ragged or mixed nested"),
    (["model", "cid", "nope.onnx"], "nope.onnx is not a file"),
    (["model", "add", "nope.onnx"], "nope.onnx is not a file"),
    (["model", "pull", "not-a-cid"], "'not-a-cid' is not an IPFS CIDv0 (Qm..."),
    (["workflow", "result", "0x12"], "'0x12' is not an address: give the workflow contract's"),
    (["workflow", "history", DEAD, "-n", "0"], "argument -n/--count: '0' must be 1 or more"),
    (["workflow", "deploy", OHLC, "--input-name", "x", "--types", "open,nope"], "nope: use a"),
    (["workflow", "deploy", OHLC, "--input-name", "x", "--for", "2h"], "give --every too"),
    (["workflow", "deploy", OHLC, "--input-name", "x", "--every", "0s"], "longer than 0 s"),
    (["workflow", "deploy", OHLC, "--input-name", "x", "--for", "90m"], "whole number of hours"),
    (["workflow", "deploy", OHLC, "--input-name", "x", "--candles", "ten"], "not a whole number"),
    (["advance", "1x"], "'1x' is not a duration (e.g. 90s, 15m, 1h30m, 7d"),
    (["advance", "1.5"], "'1.5' is 1.5 s: the chain counts whole seconds"),
    (["advance", "--", "-5"], "'-5' is not a duration: it must be 0 or more"),
    (["model", "list", "--network", "mainnet"], "unknown network 'mainnet'; use one of local"),
    (["model", "list", "--network", "alpha"], "network 'alpha' needs a private key"),
    (["model", "list", "--network", "devnet", "--state", "s.jsonl"], "--state is for the local"),
    ([], "the following arguments are required: COMMAND (see og --help)"),
    (["infer"], "the following arguments are required: model, --input"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    og: Og, state: list[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    before = files(tmp_path)
    takes_state = len(argv) > 1 and "--network" not in argv and argv[:2] != ["model", "pull"]
    failed(og(*argv, *(state if takes_state else [])), 2, message)
    assert files(tmp_path) == before


def test_a_malformed_or_public_key_is_configuration_exit_2_never_echoed(
    og: Og, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OG_NETWORK", "alpha")
    monkeypatch.setenv("OG_PRIVATE_KEY", "0xnot-a-key-but-secret")
    ran = og("model", "list")
    failed(ran, 2, "the private key is not a valid 32-byte hex key")
    assert "secret" not in ran.err
    monkeypatch.setenv(
        "OG_PRIVATE_KEY", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    )
    failed(og("infer", "QmX", "--input", "{}"), 2, "refusing to use dev account 0xf39Fd6e51aad")


def test_devnet_controls_on_the_alpha_testnet_are_refused_before_sending(
    og: Og, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OG_PRIVATE_KEY", OWN_KEY)
    failed(og("model", "list", "--network", "alpha"), 2, "og_listModels is a devnet control")


def test_no_devnet_running_is_exit_1_naming_the_fix(og: Og) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    for argv in (
        ["model", "list"],
        ["infer", "QmX", "--input", '{"x": [1.0]}'],
        ["workflow", "result", DEAD],
        ["advance", "1h"],
    ):
        ran = og(*argv, "--network", "devnet", "--rpc-url", url)
        failed(
            ran,
            1,
            f"{url} refused the connection (connection refused)",
            "is `og devnet` running? start it with `og devnet`",
        )


def test_refusals_by_the_network_exit_1_and_change_nothing(
    og: Og, state: list[str], tmp_path: Path
) -> None:
    before = files(tmp_path)
    bad_model = tmp_path / "bad.onnx"
    bad_model.write_bytes(b"not onnx")
    ran = og("infer", "QmUnknownModel", "--input", '{"x": [[1.0, 2.0, 3.0]]}', *state)
    failed(ran, 1, "unknown model CID 'QmUnknownModel'")
    failed(og("workflow", "result", DEAD, *state), 1, f"no workflow at {DEAD}: the address holds")
    failed(og("model", "add", str(bad_model), *state), 1, "og_addModel: not an ONNX model")
    wrong_shape = og("infer", LINEAR, "--input", '{"x": [[1.0, 2.0]]}', *state)
    failed(wrong_shape, 1, "InferencePrecompile (0x…F4): input 'x'", "(nothing was sent)")
    strings = og("infer", LINEAR, "--input", '{"x": "a"}', *state)
    failed(strings, 1, "got strings but the model expects x (float [1, 3])")
    bad_model.unlink()
    assert files(tmp_path) == before
    assert len(og("model", "list", *state, "--json").json()) == 2  # linear, ohlc: no bad.onnx


def test_refusals_by_a_served_devnet_change_nothing(og: Og, served: Served) -> None:
    net = ["--network", "devnet", "--rpc-url", served.url]
    ran = og("infer", "QmUnknownModel", "--input", '{"x": [[1.0, 2.0, 3.0]]}', *net)
    failed(ran, 1, "unknown model CID 'QmUnknownModel'")
    failed(og("workflow", "run", DEAD, *net), 1, "holds no contract")
    assert served.devnet.block_number == 0 and len(served.devnet.models) == 0
    assert served.devnet.web3.eth.get_transaction_count(served.devnet.accounts[0].address) == 0


def test_a_throwaway_devnet_failure_adds_the_note_after_the_error(og: Og) -> None:
    ran = og("workflow", "result", DEAD)
    assert ran.code == 1
    assert ran.lines[0].startswith(f"og: error: no workflow at {DEAD}")
    assert ran.lines[1].startswith("og: note: this command ran on a new in-process devnet")


DEVNET_OPTIONS = [
    (["--pair", "ETH/USD"], "--pair names the pair of --prices FILE: give --prices too"),
    (["--prices", "missing.csv", "--pair", "ETH/USD"], "cannot read price CSV 'missing.csv'"),
    (["--prices", "p.csv", "--pair", "ETHUSD"], "'ETHUSD' is not a pair: write BASE/QUOTE"),
    (["--genesis-time", "yesterday"], "'yesterday' is not a time: give unix seconds"),
    (["--port", "70000"], "70000 is not a port (0-65535; 0 picks a free one)"),
    (["--idle-timeout", "0"], "'0' must be longer than 0 s"),
    (["--max-request-bytes", "lots"], "'lots' is not a size (e.g. 65536, 64M, 1G)"),
    (["--model-source", "ftp://nowhere"], "model source 'ftp://nowhere' is not an http(s) URL"),
]


@pytest.mark.parametrize(
    ("argv", "message"), DEVNET_OPTIONS, ids=[" ".join(a) for a, _ in DEVNET_OPTIONS]
)
def test_og_devnet_refuses_bad_options_before_serving(
    og: Og, argv: list[str], message: str
) -> None:
    failed(og("devnet", "--port", "0", *argv), 2, message)


def test_og_devnet_refuses_a_bad_prices_file_by_name(og: Og, tmp_path: Path) -> None:
    (tmp_path / "eth_usd.csv").write_text("time,price\n1,2\n")
    ran = og("devnet", "--port", "0", "--prices", "eth_usd.csv")
    failed(ran, 2, "eth_usd.csv: missing column(s) timestamp, open, high, low, close, volume")
    assert ran.lines[0] == (  # a pair named from the file name is said, never silent
        "og: --prices eth_usd.csv: loading it as the pair ETH/USD, named from the file name; "
        "give --pair BASE/QUOTE to name it yourself"
    )
