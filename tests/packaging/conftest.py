"""``tests/packaging/wheel`` builds the wheel and installs it into fresh venvs from PyPI (through
pip's cache): it is collected only when asked for by path, as ``make packaging`` does, so
``make test`` downloads nothing. The other packaging tests run in ``make test``."""

from __future__ import annotations

from pathlib import Path

import pytest

WHEEL = Path(__file__).resolve().parent / "wheel"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path != WHEEL:
        return None
    asked = (Path(arg.split("::")[0]).resolve() for arg in config.args)
    return None if any(p == WHEEL or WHEEL in p.parents for p in asked) else True
