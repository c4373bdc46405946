"""The committed contract artifacts are exactly what the pinned solc builds from contracts/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "sdk" / "og_alpha" / "artifacts"


def test_artifacts_match_a_fresh_build(tmp_path: Path) -> None:
    if shutil.which("node") is None or not (ROOT / "contracts/node_modules/solc").is_dir():
        pytest.skip("node or contracts/node_modules missing: `make test` installs them")
    subprocess.run(
        ["node", str(ROOT / "contracts" / "build.js"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    built = sorted(p.name for p in tmp_path.glob("*.json"))
    assert built == sorted(p.name for p in COMMITTED.glob("*.json")), "run `make contracts`"
    for name in built:
        assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"{name} differs from a fresh build of contracts/: run `make contracts`"
        )
