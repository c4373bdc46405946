"""The distribution as a user gets it: a wheel built by ``python -m build`` (sdist, then the
wheel from the sdist), installed into fresh venvs, run from a folder outside the checkout.

- ``pip install 'og-alpha-devkit[devnet]'``: ``og demo`` prints what it prints from the
  checkout, byte for byte (same models, same hashes); the pytest plugin's fixtures run a model
  shipped in the wheel; ``import og_alpha`` still loads neither py-evm nor onnxruntime.
- ``pip install og-alpha-devkit``: none of the devnet extra is installed; ``import og_alpha``
  works; ``og``, ``og_devnet.Devnet`` and ``og_alpha.connect()`` (the local network) each fail
  naming ``pip install 'og-alpha-devkit[devnet]'``; pytest runs with the plugin loaded.

Slow (two venvs, about a minute with pip's cache warm) and needs PyPI on a cold cache, so it
is collected only by path: ``make packaging``, which .ci/run runs after ``make test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from og_devnet.extra import INSTALL

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("eth", "eth_tester", "onnxruntime", "onnx", "sha3", "og_devnet")
LOADED = (
    "import json, sys, og_alpha; "
    f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
)


def env() -> dict[str, str]:
    """The user's environment: nothing pointing into the checkout, no network settings."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("OG_")}


def run(args: list[str | Path], cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if ok:
        assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    (found,) = out.glob("*.whl")
    return found


def venv(folder: Path, *requirements: str) -> Path:
    """A fresh venv (no system site-packages) with ``requirements``; its bin folder."""
    run([sys.executable, "-m", "venv", folder], cwd=folder.parent)
    bin_dir = folder / "bin"
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", *requirements], cwd=folder)
    return bin_dir


USER_TEST = """
from og_alpha import InferenceMode
from og_devnet.demo import fixtures_dir


def test_infer_a_model_shipped_in_the_wheel(og_alpha, og_models):
    assert "site-packages" in str(fixtures_dir())
    cid = og_models.add(fixtures_dir() / "linear.onnx")
    result = og_alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert abs(float(result.model_output["y"][0][0]) - 4.1) < 1e-5
"""


def test_with_the_devnet_extra_og_demo_and_the_plugin_work(wheel: Path, tmp_path: Path) -> None:
    bin_dir = venv(tmp_path / "venv", f"og-alpha-devkit[devnet] @ {wheel.as_uri()}", "pytest")
    user = tmp_path / "project"
    user.mkdir()

    demo = run([bin_dir / "og", "demo"], cwd=user)
    checkout = run([sys.executable, "-m", "og_devnet.demo"], cwd=ROOT)
    assert "linear.onnx" in demo.stdout and "scheduled runs" in demo.stdout
    assert demo.stdout == checkout.stdout  # same models, same transactions, same hashes

    (user / "test_user.py").write_text(USER_TEST)
    tests = run([bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=user)
    assert "1 passed" in tests.stdout

    loaded = run([bin_dir / "python", "-c", LOADED], cwd=user)
    assert json.loads(loaded.stdout) == []


SDK_ONLY = f"""
import importlib.util, json, sys
import og_alpha
import og_devnet
report = {{
    "absent": [m for m in ("eth", "eth_tester", "onnxruntime", "onnx")
               if importlib.util.find_spec(m) is None],
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY[:-1]!r}),
}}
try:
    og_alpha.connect()
except og_alpha.ConfigurationError as exc:
    report["connect"] = str(exc)
try:
    og_devnet.Devnet
except ImportError as exc:
    report["Devnet"] = str(exc)
print(json.dumps(report))
"""


def test_the_sdk_alone_imports_and_says_how_to_get_the_devnet(wheel: Path, tmp_path: Path) -> None:
    bin_dir = venv(tmp_path / "venv", f"og-alpha-devkit @ {wheel.as_uri()}", "pytest")
    user = tmp_path / "project"
    user.mkdir()

    report = json.loads(run([bin_dir / "python", "-c", SDK_ONLY], cwd=user).stdout)
    assert report["absent"] == ["eth", "eth_tester", "onnxruntime", "onnx"]
    assert report["loaded"] == []
    assert INSTALL in report["connect"]
    assert INSTALL in report["Devnet"]

    og = run([bin_dir / "og", "demo"], cwd=user, ok=False)
    assert og.returncode == 2
    assert INSTALL in og.stderr and "Traceback" not in og.stderr

    (user / "test_sdk.py").write_text(
        "from og_alpha import InferenceMode\n\n\n"
        "def test_sdk():\n    assert InferenceMode.VANILLA.value == 0\n"
    )
    tests = run([bin_dir / "python", "-m", "pytest", "-p", "no:cacheprovider"], cwd=user)
    assert "1 passed" in tests.stdout
    assert "og-alpha-devkit" in tests.stdout  # the plugin loaded ("plugins: ..." header)
