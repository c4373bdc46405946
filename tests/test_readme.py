"""The README's Python examples run as written (in the order a reader meets them, sharing one
namespace as a reader's session would). Those that need the outside world (an IPFS gateway,
a running `og devnet`, the Alpha Testnet) are compiled only; those that are pytest tests run
under pytest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
# Need a gateway, a running node or the live network: compiled, not run.
OUTSIDE = ("ipfs.io", 'connect("devnet")', "fork_url=", 'private_key="0x...")')


def _kind(block: str) -> str:
    if "def test_" in block:
        return "pytest"
    if any(marker in block for marker in OUTSIDE) or "{...}" in block or "QmXyz" in block:
        return "compile"
    return "run"


def test_the_readme_has_examples_of_each_kind() -> None:
    kinds = [_kind(b) for b in BLOCKS]
    assert kinds.count("run") >= 4 and "pytest" in kinds


def test_the_readme_python_examples_run(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in BLOCKS:
        code = compile(block, "README.md", "exec")
        if _kind(block) != "run":
            continue
        if "price_gap" in block:  # the README leaves the window to the reader
            namespace.update(start=namespace["devnet"].now, end=namespace["devnet"].now + 600)
        if "int_model.onnx" in block:  # the README's own context for this example
            namespace["cid"] = namespace["devnet"].models.add("fixtures/models/int_model.onnx")
        exec(code, namespace)  # noqa: S102 - the README's own examples
        if "read_workflow_history" in block and "output" not in namespace:
            namespace["output"] = namespace["alpha"].read_workflow_result(namespace["address"])
    assert "0x" in capsys.readouterr().out  # the first example prints a transaction hash


@pytest.mark.usefixtures("devnet_loaded")  # for the in-process run
def test_the_readme_pytest_example_passes(pytester: pytest.Pytester) -> None:
    (block,) = [b for b in BLOCKS if _kind(b) == "pytest" and "og_models" in b]
    shutil.copy(ROOT / "fixtures" / "models" / "linear.onnx", pytester.path / "my_model.onnx")
    pytester.makepyfile(test_readme_example="from og_alpha import InferenceMode\n\n" + block)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
