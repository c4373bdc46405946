"""The SDK alone, and the devnet extra missing, in this checkout's interpreter.

Each case runs in a fresh interpreter: ``import og_alpha`` must load neither py-evm nor
onnxruntime (nor og_devnet), and with the devnet extra's modules made unfindable
(``sys.modules[name] = None``, which is how Python marks a module absent) every way into the
devnet must fail with one error naming the install command, while the SDK, a remote
``og devnet`` and the pytest plugin keep working. tests/packaging/wheel checks the same from
real installs of the wheel, with and without the extra.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from og_devnet.extra import INSTALL, MODULES

HEAVY = ("eth", "eth_tester", "onnxruntime", "onnx", "sha3", "og_devnet")


def run(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object last."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_import_og_alpha_loads_neither_py_evm_nor_onnxruntime() -> None:
    # the devnet extra is installed here: the SDK must still not reach for it
    out = run(
        f"""
        import json, sys
        import og_alpha
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})))
        """
    )
    assert out == []


BLOCK = f"""
import json, sys
for name in {sorted(set(MODULES) - {"aiohttp"})!r}:  # aiohttp comes with web3 anyway
    sys.modules[name] = None
"""


def test_without_the_extra_every_way_into_the_devnet_names_the_install_command() -> None:
    out = run(
        BLOCK
        + """
        import og_alpha, og_devnet
        from og_devnet.extra import og
        result = {}
        try:
            og_devnet.Devnet
        except ImportError as exc:
            result["Devnet"] = [type(exc).__name__, str(exc)]
        try:
            og_alpha.connect("local")
        except og_alpha.ConfigurationError as exc:
            result["connect"] = [type(exc).__name__, str(exc)]
        result["og"] = og(["demo"])
        print(json.dumps(result))
        """.replace("\n        ", "\n")
    )
    for name in ("Devnet", "connect"):
        kind, message = out[name]
        assert kind == "MissingExtraError"
        assert INSTALL in message
        assert "py-evm" in message and "onnxruntime" in message
    assert out["og"] == 2  # a configuration problem, as the README says


def test_og_without_the_extra_prints_one_line_and_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK + "from og_devnet.extra import og; sys.exit(og(['demo']))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("og: error: the og command needs the devnet extra")
    assert INSTALL in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_without_the_extra_the_sdk_a_remote_devnet_and_the_plugin_still_load() -> None:
    out = run(
        BLOCK
        + """
        import og_alpha
        import og_devnet.pytest_plugin
        alpha = og_alpha.connect("devnet")  # a running og devnet: dev account 0 by default
        print(json.dumps({
            "account": alpha.address,
            "remote": type(alpha.devnet).__name__,
            "heavy": sorted(
                m for m, mod in sys.modules.items()
                if mod is not None and m.split(".")[0] in ("eth", "onnxruntime")
            ),
        }))
        """.replace("\n        ", "\n")
    )
    assert out == {
        "account": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "remote": "RemoteDevnet",
        "heavy": [],
    }
