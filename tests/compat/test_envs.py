"""``make compat`` fails, loudly and saying why, when the official client cannot be installed:
it never passes without it. (Runs pip against a closed local port: nothing is downloaded.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import closing
from pathlib import Path

ENVS = Path(__file__).resolve().parent / "envs.py"


def test_an_unreachable_registry_fails_make_compat_with_the_reason(tmp_path: Path) -> None:
    with closing(socket.create_server(("127.0.0.1", 0))) as probe:
        port = probe.getsockname()[1]  # closed once the block ends: connections are refused
    env = {
        **os.environ,
        "OG_COMPAT_CACHE": str(tmp_path / "cache"),
        "PIP_INDEX_URL": f"http://127.0.0.1:{port}/simple",
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "5",
        "PIP_CONFIG_FILE": os.devnull,
    }
    done = subprocess.run(
        [sys.executable, str(ENVS)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0
    assert "downloading opengradient==0.7.5 failed" in done.stderr
    assert "needs the package registry (PyPI)" in done.stderr
    assert not (tmp_path / "cache" / "opengradient-0.7.5").exists()  # no half-built cache
