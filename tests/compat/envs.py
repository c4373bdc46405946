"""The official ``opengradient`` packages, each installed in its own virtual environment.

``make compat`` runs the official client next to ``og_alpha``. Each version gets a venv under
``.cache/compat/opengradient-<version>`` (gitignored) holding the published wheel, checked by
its sha256, and exactly the dependency versions of ``locks/opengradient-<version>.txt``
(installed without resolving, so a rebuild is the same environment). A venv is reused while
its stamp matches the wheel, the lock and the Python version, so a second run installs
nothing (``OG_COMPAT_CACHE`` moves the cache). Any failure (registry unreachable, wrong hash, broken dependencies) is an error that
says so: the compatibility suite never passes without the official client.

    python tests/compat/envs.py                # build (or reuse) every environment
    python tests/compat/envs.py --relock 1.1.4 # resolve its dependencies afresh, rewrite the lock
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("OG_COMPAT_CACHE") or ROOT / ".cache" / "compat")
LOCKS = Path(__file__).resolve().parent / "locks"
# The published wheels (PyPI), by version: the API reference documents 0.7.5, 1.1.4 is the
# newest.
WHEELS = {
    "0.7.5": "13bc345bbbd98e1b6583e5a5353e266c1ef17897ba22880c7e40fe4b7c1a5837",
    "1.1.4": "ad604f80ab2aa4043ad6d13dbbaf7c96529509742d23dceba109b55bc32496a8",
}
VERSIONS = tuple(WHEELS)
PIP = ("-m", "pip", "--disable-pip-version-check", "--no-input")


class EnvironmentFailure(RuntimeError):
    """An official client's environment could not be built."""


def _run(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise EnvironmentFailure(
            f"{what} failed (exit {done.returncode}); `make compat` needs the package registry "
            f"(PyPI) for its first run, then reuses {CACHE}:\n{tail}"
        )
    return done.stdout


def _stamp(version: str) -> str:
    lock = (LOCKS / f"opengradient-{version}.txt").read_bytes()
    return json.dumps(
        {
            "wheel_sha256": WHEELS[version],
            "lock_sha256": hashlib.sha256(lock).hexdigest(),
            "python": list(sys.version_info[:3]),
        },
        sort_keys=True,
    )


def python_of(version: str) -> Path:
    return CACHE / f"opengradient-{version}" / "bin" / "python"


def _download_wheel(python: Path, version: str, into: Path) -> Path:
    _run(
        [str(python), *PIP, "download", "--no-deps", "--only-binary=:all:", "-d", str(into),
         f"opengradient=={version}"],
        f"downloading opengradient=={version}",
    )  # fmt: skip
    wheel = into / f"opengradient-{version}-py3-none-any.whl"
    if not wheel.is_file():
        raise EnvironmentFailure(f"pip did not leave {wheel.name} in {into}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEELS[version]:
        raise EnvironmentFailure(
            f"{wheel.name} has sha256 {digest}, not the published wheel's {WHEELS[version]}"
        )
    return wheel


def ensure(version: str) -> Path:
    """The Python of a venv holding ``opengradient==version``, built if missing or stale."""
    if version not in WHEELS:
        raise EnvironmentFailure(f"unknown opengradient version {version}; known: {VERSIONS}")
    target = CACHE / f"opengradient-{version}"
    stamp = target / "og-compat-stamp.json"
    if stamp.is_file() and stamp.read_text() == _stamp(version) and python_of(version).exists():
        return python_of(version)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(partial)], "creating a venv")
    python = partial / "bin" / "python"
    wheel = _download_wheel(python, version, partial / "wheel")
    lock = LOCKS / f"opengradient-{version}.txt"
    _run([str(python), *PIP, "install", "--no-deps", "-r", str(lock)], f"installing {lock.name}")
    _run([str(python), *PIP, "install", "--no-deps", str(wheel)], f"installing {wheel.name}")
    _run([str(python), *PIP, "check"], f"checking the dependencies of opengradient=={version}")
    (partial / "og-compat-stamp.json").write_text(_stamp(version))
    partial.rename(target)  # a venv's python finds its prefix from its own location
    return python_of(version)


def relock(version: str) -> None:
    """Resolve the wheel's dependencies afresh in a scratch venv and write the lock."""
    scratch = CACHE / f"relock-{version}"
    shutil.rmtree(scratch, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(scratch)], "creating a venv")
    python = scratch / "bin" / "python"
    wheel = _download_wheel(python, version, scratch / "wheel")
    _run([str(python), *PIP, "install", str(wheel)], f"installing {wheel.name}")
    frozen = _run([str(python), *PIP, "freeze", "--all"], "pip freeze").splitlines()
    skip = ("opengradient", "pip", "setuptools", "wheel")
    kept = [line for line in frozen if line.split("=")[0].split(" ")[0].lower() not in skip]
    (LOCKS / f"opengradient-{version}.txt").write_text("\n".join(kept) + "\n")
    shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--relock", choices=VERSIONS, help="rewrite this version's lock file")
    args = parser.parse_args()
    try:
        if args.relock:
            relock(args.relock)
        for version in VERSIONS:
            print(f"opengradient {version}: {ensure(version)}", flush=True)
    except EnvironmentFailure as exc:
        sys.exit(f"tests/compat/envs.py: {exc}")


if __name__ == "__main__":
    main()
