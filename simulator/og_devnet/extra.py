"""The devnet extra: what ``og_devnet`` runs on, and one clear error when it is not installed.

og-alpha-devkit is one distribution, packaged as web3.py ships eth-tester (``web3[tester]``):
``pip install og-alpha-devkit`` brings the SDK's dependencies only (web3, eth-account,
eth-abi, numpy); ``pip install 'og-alpha-devkit[devnet]'`` adds py-evm, eth-tester,
onnxruntime, onnx, safe-pysha3 and aiohttp, which the devnet, the ``og`` command and the
pytest plugin's fixtures need.

``og_devnet``'s modules are in the wheel either way, and Python packaging has no entry point
that exists only with an extra (pip installs the same console scripts and pytest11 entry
points with or without it). So without the extra ``og_devnet`` still imports, light: its
names raise :class:`MissingExtraError`, the ``og`` command prints the install command, and
the pytest plugin loads (pytest loads every installed plugin, so it must: an SDK-only user's
test suite is not broken by it).

This module imports only the standard library and ``og_alpha.lazy`` (it is the ``og`` command's entry point, so
what it imports every command pays for); :class:`MissingExtraError`, an SDK error and so a web3
exception, is loaded from ``og_devnet.extra_error`` on first use.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from og_alpha.lazy import lazy_exports

if TYPE_CHECKING:
    from .extra_error import MissingExtraError

INSTALL = "pip install 'og-alpha-devkit[devnet]'"

# Import name -> distribution, for each distribution of the devnet extra.
MODULES = {
    "eth": "py-evm",
    "eth_tester": "eth-tester",
    "onnxruntime": "onnxruntime",
    "onnx": "onnx",
    "sha3": "safe-pysha3",
    "aiohttp": "aiohttp",
}


def missing() -> list[str]:
    """The devnet extra's distributions that are not installed, by distribution name.

    Found without importing them (``importlib.util.find_spec`` of each top-level module), so
    asking costs microseconds and loads neither py-evm nor onnxruntime.
    """
    return [dist for module, dist in MODULES.items() if importlib.util.find_spec(module) is None]


def message(what: str, absent: Sequence[str]) -> str:
    return (
        f"{what} needs the devnet extra of og-alpha-devkit, which is not installed "
        f"(missing: {', '.join(absent)}): run {INSTALL}"
    )


def require(what: str) -> None:
    """Raise :class:`MissingExtraError` naming ``what`` and the install command if any of
    the devnet extra's distributions is missing."""
    absent = missing()
    if absent:
        from .extra_error import MissingExtraError

        raise MissingExtraError(message(what, absent))


def og(argv: Sequence[str] | None = None) -> int:
    """The ``og`` console script: the CLI when the devnet extra is installed; otherwise one
    line naming the install command (exit status 2: a configuration problem, fixed before
    anything reaches a network), not a traceback from a missing import."""
    absent = missing()
    if absent:
        print(f"og: error: {message('the og command', absent)}", file=sys.stderr)
        return 2
    from .cli import main

    return main(argv)


__all__ = ["INSTALL", "MODULES", "MissingExtraError", "message", "missing", "og", "require"]
__getattr__, __dir__ = lazy_exports(__name__, {"extra_error": ("MissingExtraError",)}, __all__)
