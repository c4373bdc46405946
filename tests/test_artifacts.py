"""The committed contract artifacts are exactly what the pinned solc builds from contracts/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "sdk" / "og_alpha" / "artifacts"
SOLC = ROOT / "contracts" / "node_modules" / "solc"


def test_artifacts_match_a_fresh_build(tmp_path: Path) -> None:
    if not SOLC.is_dir():
        pytest.skip("contracts/node_modules/solc is missing: `make test` installs it (npm ci)")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: it is needed to build the contracts")
    build = subprocess.run(
        [node, str(ROOT / "contracts" / "build.js"), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, f"node contracts/build.js failed:\n{build.stdout}{build.stderr}"
    built = {p.name for p in tmp_path.glob("*.json")}
    committed = {p.name for p in COMMITTED.glob("*.json")}
    assert built, "contracts/build.js wrote no artifacts"
    assert not built - committed, (
        f"not committed: {sorted(built - committed)}: run `make contracts`"
    )
    assert not committed - built, f"stale: {sorted(committed - built)}: run `make contracts`"
    for name in sorted(built):
        assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"sdk/og_alpha/artifacts/{name} differs from a fresh build of contracts/: "
            "run `make contracts`"
        )
