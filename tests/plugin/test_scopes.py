"""The plugin's session- and module-scoped fixtures isolate as the function-scoped ones do,
its fixtures are documented, the genesis time is an option, and the time-travel and
snapshot helpers work (pytester, as test_plugin.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from og_devnet import Devnet, DevnetError
from og_devnet.pytest_plugin import DEVNET_FIXTURES
from og_devnet.testing import snapshot, time_travel
from tests.conftest import MODELS
from tests.plugin.scoped_suite import FILES
from tests.plugin.test_plugin import REVERSE, run_recorded

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.usefixtures("devnet_loaded")  # for the in-process runs


def test_session_and_module_fixtures_isolate_in_any_order_and_in_parallel(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(**FILES)
    in_order = run_recorded(pytester, tmp_path / "order", 6)
    parallel = run_recorded(pytester, tmp_path / "parallel", 6, "-n", "2")
    pytester.makepyfile(conftest=FILES["conftest"] + REVERSE)
    reversed_ = run_recorded(pytester, tmp_path / "reversed", 6)
    assert sorted(in_order) == ["a1", "a2", "a3", "b1", "b2", "b3"]
    assert in_order == reversed_ == parallel


SHARED = """
import pytest

@pytest.fixture(scope="session")
def deployed(og_devnet_session):
    og_devnet_session.mine()

def test_plain(request):
    assert not {"deployed", "_og_session_devnet"} & set(request.fixturenames)

def test_starts_from_the_session_state(og_devnet):
    assert og_devnet.block_number == 1  # deployed's block, though this test never asked

def test_asks(deployed, og_devnet):
    og_devnet.mine()
"""


def test_every_devnet_test_starts_from_the_same_state_others_are_left_alone(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_shared=SHARED)
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=3)
    pytester.makeconftest(REVERSE)
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=3)


LATE = """
import pytest

@pytest.fixture(scope="session")
def late(og_devnet_session):
    og_devnet_session.mine()

def test_asks_late(og_devnet, request):
    request.getfixturevalue("late")
"""


def test_a_broader_fixture_set_up_late_is_refused_by_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_late=LATE)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*fixture 'og_devnet_session' (session-scoped) is being set up while test "
            "test_asks_late (function-scoped) holds devnet state*request.getfixturevalue*"
        ]
    )


def test_every_fixture_is_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--fixtures", "-p", "no:cacheprovider")
    lines = result.stdout.lines
    names = sorted(name for name in DEVNET_FIXTURES if not name.startswith("_"))
    assert len(names) == 11
    for name in names:
        (at,) = [i for i, line in enumerate(lines) if line.split(" ")[0] == name]
        assert "no docstring available" not in lines[at + 1], name
        assert lines[at + 1].strip(), name


CANDLES_2023 = """
def test_real_2023_candles(og_devnet, og_prices, tmp_path):
    assert og_devnet.now == 1_672_534_800  # 2023-01-01T01:00:00Z
    rows = ["timestamp,open,high,low,close,volume"] + [
        f"{1_672_531_200 + 60 * k},{16500 + k},{16501 + k},{16499 + k},{16500.5 + k},1.5"
        for k in range(120)
    ]
    (tmp_path / "btc.csv").write_text("\\n".join(rows))
    og_prices.load_csv(tmp_path / "btc.csv", "BTC", "USD")
    closes = og_prices.candles("BTC", "USD", 1, 3).column("close")
    assert closes.tolist() == [16557.5, 16558.5, 16559.5]
"""


def test_genesis_time_from_the_command_line_or_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_real=CANDLES_2023)
    pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "--og-genesis-time", "2023-01-01T01:00:00Z"
    ).assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nog_genesis_time = 1672534800\n")
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    overridden = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "--og-genesis-time", "2024-01-01"
    )
    overridden.assert_outcomes(failed=1)


def test_a_bad_genesis_time_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_any="def test_any(og_devnet):\n    pass\n")
    result = pytester.runpytest_inprocess("--og-genesis-time", "soon")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--og-genesis-time: 'soon' is not a time: give unix seconds*"])
    pytester.makeini("[pytest]\nog_genesis_time = yesterday\n")
    result = pytester.runpytest_inprocess()
    result.stderr.fnmatch_lines(["*ini og_genesis_time: 'yesterday' is not a time*"])
    result = pytester.runpytest_inprocess(
        "--og-genesis-time", "2023-01-01", "--og-fork-url", "http://127.0.0.1:9"
    )
    result.stderr.fnmatch_lines(["*--og-genesis-time and --og-fork-url exclude each other*"])


# --- the helpers, directly ------------------------------------------------------------------------
def test_time_travel_by_a_duration_to_a_time_and_by_blocks() -> None:
    devnet = Devnet()
    start = devnet.now
    time_travel(devnet, "1h30m")
    assert devnet.now == start + 5400
    time_travel(devnet, to="2025-01-02")
    assert devnet.now == 1_735_776_000
    time_travel(devnet, blocks=2)
    assert (devnet.now, devnet.block_number) == (1_735_776_002, 4)
    with pytest.raises(DevnetError, match="is before the chain's time 1735776002 .* snapshot"):
        time_travel(devnet, to="2025-01-01")
    with pytest.raises(DevnetError, match="time_travel: '1 hour' is not a duration"):
        time_travel(devnet, "1 hour")
    with pytest.raises(DevnetError, match="by= .* or to="):
        time_travel(devnet)
    assert devnet.now == 1_735_776_002  # refused moves change nothing


def test_snapshot_restores_everything_even_when_the_block_raises() -> None:
    devnet = Devnet()
    with pytest.raises(RuntimeError), snapshot(devnet):
        devnet.models.add(MODELS / "linear.onnx")
        time_travel(devnet, "1d", blocks=1)
        raise RuntimeError("the test failed")
    assert (devnet.now, devnet.block_number, len(devnet.models)) == (1_735_689_600, 0, 0)


def test_candles_the_chain_has_passed_name_the_genesis_time_options() -> None:
    devnet = Devnet()  # 2025-01-01: a year after these 2023 rows end
    rows = [[1_672_531_200 + 60 * k, 1.0, 1.0, 1.0, 1.0, 1.0] for k in range(30)]
    devnet.prices.set_candles("BTC", "USD", 1, rows)
    with pytest.raises(DevnetError) as info:
        devnet.prices.candles("BTC", "USD", 1, 5)
    assert str(info.value) == (
        "BTC/USD 1m price data ends at 1672532940 (2023-01-01T00:29:00Z); the query at the "
        "chain's time needs candles up to 1735689540 (2024-12-31T23:59:00Z): load rows up to "
        "then, or start the chain within the data (Devnet(genesis_time=...), og devnet "
        "--genesis-time, pytest --og-genesis-time)"
    )
    later = Devnet(genesis_time=1_672_532_400)  # 00:20, within them
    later.prices.set_candles("BTC", "USD", 1, rows)
    assert len(later.prices.candles("BTC", "USD", 1, 5)) == 5
