"""The pytest plugin: per-test isolation in any order and in parallel, markers, the switch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MODELS

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.usefixtures("devnet_loaded")  # for the in-process runs
HERE = Path(__file__).resolve().parent

REVERSE = """
def pytest_collection_modifyitems(items):
    items.reverse()
"""


def run_recorded(
    pytester: pytest.Pytester, record: Path, passed: int, *args: str
) -> dict[str, object]:
    """Run the suite written into ``pytester``, check that ``passed`` tests passed, and return
    what its tests recorded in ``record``. In-process (a session of its own, with its own
    devnet), except with ``-n``, which needs worker processes: that run goes in a subprocess,
    as a user runs it."""
    record.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OG_TEST_MODELS", str(MODELS))
        mp.setenv("OG_TEST_RECORD", str(record))
        run = pytester.runpytest_subprocess if "-n" in args else pytester.runpytest_inprocess
        result = run("-q", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=passed)
    return {p.stem: json.loads(p.read_text()) for p in sorted(record.glob("*.json"))}


def _run(
    pytester: pytest.Pytester, tmp_path: Path, name: str, *args: str, conftest: str = ""
) -> dict[str, object]:
    pytester.makepyfile(test_user=(HERE / "user_suite.py").read_text())
    pytester.makeconftest(conftest)
    return run_recorded(pytester, tmp_path / name, 20, *args)


def test_twenty_stateful_tests_pass_in_any_order_and_in_parallel(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Reversed, and split between two workers that each run their share in file order: two
    orders in which any state one test left to another would change what it records."""
    reversed_ = _run(pytester, tmp_path, "reversed", conftest=REVERSE)
    parallel = _run(pytester, tmp_path, "parallel", "-n", "2")
    assert len(reversed_) == 20
    assert reversed_ == parallel


KEEP = """
import pytest

pytestmark = pytest.mark.og_keep_state

def test_first(og_devnet):
    og_devnet.mine(3)
    assert og_devnet.block_number == 3

def test_second_sees_the_first(og_devnet):
    assert og_devnet.block_number == 3
"""

AFTER = """
def test_later_module_starts_clean(og_devnet):
    assert og_devnet.block_number == 0
"""


def test_keep_state_marker_shares_state_within_a_module_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a_keep=KEEP, test_b_after=AFTER)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


DEVNET_ONLY = """
def test_uses_the_clock(og_devnet):
    og_devnet.advance(10)

def test_uses_only_alpha(og_alpha):
    assert og_alpha.address
"""


def test_other_network_skips_devnet_only_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_net=DEVNET_ONLY)
    result = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "-rs", "--og-network", "http://127.0.0.1:9"
    )
    result.assert_outcomes(skipped=1, passed=1)
    result.stdout.fnmatch_lines(["*devnet-only*--og-network*"])


def test_plugin_is_registered_by_the_entry_point() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("og_devnet") == "og_devnet.pytest_plugin"
