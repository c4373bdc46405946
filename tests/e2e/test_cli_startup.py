"""``og`` starts without what it does not need: ``og model cid``, ``og --version``, ``og --help``
and a usage error load neither web3 (whose import takes about 0.6 s, its BLS precomputation
included), py-evm, onnxruntime, aiohttp nor numpy; the packages' public names load on first
use, each from the module that defines it; and the devnet still hashes with the C keccak.

Each case runs in a fresh interpreter, through the console script's entry point
(``og_devnet.extra.og``), and reports which of those modules it loaded; how long a start takes
is measured by the benchmarks, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import og_alpha
import og_devnet
from og_devnet.deferred import DEFERRED
from tests.conftest import MODELS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("web3", "eth", "eth_account", "onnxruntime", "aiohttp", "numpy")
LINEAR_CID = "QmQqjVpP7r7njiiUXy9nidzaqt1C4q6DDpuYprmVoJgd8v"  # `ipfs add` of linear.onnx


def fresh(code: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run ``code`` in a fresh interpreter in the repository; it prints one JSON value last
    on stdout, which is returned parsed with the finished process."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.stdout, done.stderr
    return done, json.loads(done.stdout.splitlines()[-1])


def og(*argv: str) -> tuple[int, str, str, list[str]]:
    """``og ARGV`` in a fresh interpreter: (exit code, stdout but the report, stderr, the
    heavy modules it loaded)."""
    done, report = fresh(
        f"""
        import contextlib, io, json, sys
        from og_devnet.extra import og
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                code = og({list(argv)!r})
            except SystemExit as exc:
                code = exc.code
        print(json.dumps({{
            "code": code,
            "out": out.getvalue(),
            "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules),
        }}))
        """
    )
    return report["code"], report["out"], done.stderr, report["heavy"]


def test_og_model_cid_prints_the_cid_and_loads_no_sdk_evm_runtime_or_numpy() -> None:
    code, out, err, heavy = og("model", "cid", str(MODELS / "linear.onnx"))
    assert (code, out.strip(), err) == (0, LINEAR_CID, "")
    assert heavy == []
    code, out, _, heavy = og("model", "cid", str(MODELS / "linear.onnx"), "--json")
    assert json.loads(out)["cid"] == LINEAR_CID and heavy == []


def test_og_version_and_help_load_nothing_heavy() -> None:
    code, out, _, heavy = og("--version")
    assert code == 0 and out.startswith("og 0.") and "og-alpha-devkit" in out
    assert heavy == []
    code, out, _, heavy = og("--help")
    assert code == 0 and "model" in out and "devnet" in out
    assert heavy == []


def test_a_failure_before_any_network_is_told_without_loading_the_sdk() -> None:
    # the exit code and line come from classifying the error, which must not import web3
    code, out, err, heavy = og("model", "cid", "no-such-model.onnx")
    assert (code, out) == (2, "")
    assert err == "og: error: no-such-model.onnx is not a file\n"
    assert heavy == []
    code, _, err, heavy = og("advance", "soon")
    assert code == 2 and err.startswith("og advance: error: argument duration:") and heavy == []


def test_option_help_still_names_every_network() -> None:
    # the names are filled in from og_alpha.networks when the help is shown
    code, out, _, _ = og("infer", "--help")
    assert code == 0
    assert "local, devnet, alpha or a node URL" in " ".join(out.split())


def test_importing_the_packages_loads_neither_web3_nor_the_devnet() -> None:
    _, report = fresh(
        f"""
        import json, sys
        import og_alpha, og_devnet, og_devnet.pytest_plugin
        print(json.dumps(sorted(m for m in {(*HEAVY, "eth_tester")!r} if m in sys.modules)))
        """
    )
    assert report == []


def test_every_public_name_loads_from_the_module_that_defines_it() -> None:
    for package in (og_alpha, og_devnet):
        assert set(package.__all__) <= set(dir(package))
        for name in package.__all__:
            value = getattr(package, name)
            home = sys.modules[getattr(value, "__module__", package.__name__)]
            assert getattr(home, name, value) is value, f"{package.__name__}.{name}"
    assert og_alpha.wire is sys.modules["og_alpha.wire"]  # a submodule, as before
    for package, name in ((og_alpha, "Alpah"), (og_devnet, "DevNet")):
        try:
            getattr(package, name)
        except AttributeError as exc:
            assert str(exc) == f"module {package.__name__!r} has no attribute {name!r}"
        else:
            raise AssertionError(f"{package.__name__}.{name} exists")


def test_the_devnet_hashes_with_the_c_keccak_and_defers_the_bls_pairing_tables() -> None:
    # py-evm hashes ~90 times a transaction; og_devnet.chain switches eth-hash to safe-pysha3.
    # py_ecc's pairing and BLS modules (imported by web3 and py-evm) run on first use only
    _, report = fresh(
        """
        import json, sys
        import og_devnet
        before = "eth_hash" in sys.modules
        from og_devnet import Devnet
        from eth_hash.auto import keccak
        from eth_hash.backends import pysha3
        imported = keccak.hasher is pysha3.keccak256  # before the devnet's first hash
        Devnet()
        from og_devnet.deferred import waiting
        print(json.dumps([before, imported, keccak.hasher is pysha3.keccak256, waiting()]))
        """
    )
    assert report == [False, True, True, list(DEFERRED)]  # all imported, none run
